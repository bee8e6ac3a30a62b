"""Players: what the GTP engine asks for moves. The interface and random moves (base), the policy
net with no search (policy), and the search with time management and pondering (search).

May import: gogo's leaf modules, gogo.go, gogo.features, gogo.nets, gogo.search.
"""
