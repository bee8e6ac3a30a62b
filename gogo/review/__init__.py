"""Review: searching a position in steps with what a person sees of it between steps (think), a
whole game analysed position by position and written back as SGF with a comment and the
engine's line at every move (game), and the winrate graph as a PNG (plot).

May import: gogo's leaf modules, gogo.go, gogo.records, gogo.features, gogo.nets, gogo.search,
gogo.players.
"""
