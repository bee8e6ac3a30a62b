"""The `gogo` command: the command table (main) and one module per subcommand, each with
`add_arguments(parser)` and `run(args)` returning an exit status. Options become config objects
here; library errors (gogo.errors.GogoError) become a message on stderr and exit status 2.

May import: gogo, selfplay, training (it sits above all three; nothing imports it).
"""
