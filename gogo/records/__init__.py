"""Game records: one SGF record in and out (sgf), SGF files, folders and archives in bulk
(sgf_sources), bulk reading in worker processes (workers), the census behind `gogo replay`
(survey), and the game store, the compact pickle-free .npz of many games that training and
self-play read and write (store).

May import: gogo's leaf modules, gogo.go.
"""
