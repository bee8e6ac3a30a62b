"""The Go Text Protocol: text in and out (protocol), the engine with the standard commands
(engine), the analysis commands it registers (analysis), the server loop on a stream (server),
and the controller side that runs an engine as a subprocess (client).

May import: every other gogo package.
"""
