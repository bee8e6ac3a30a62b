"""gogo.sgf (reading, replaying, writing SGF) and the `gogo replay` command."""
import dataclasses
import io
import json
import tarfile
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from gogo.records import sgf, sgf_sources
from gogo.go.board import BLACK, WHITE, PASS, Board
from gogo.records.sgf import GameError, GameRecord

DATA = Path(__file__).parent / "data"

GOOD_9 = b"(;GM[1]FF[4]SZ[9]KM[7]PB[Alice]PW[Bob]RE[B+2.5];B[ee];W[cc];B[gg];W[])"
GOOD_9_OTHER = b"(;GM[1]FF[4]SZ[9]KM[7];B[cc];W[gg])"


def game(props=b"", moves=b"", size=9):
    return b"(;GM[1]FF[4]SZ[%d]%s%s)" % (size, props, moves)


# --- charsets ---------------------------------------------------------------------------------

def test_charset_from_ca_gb2312():
    data = b"(;GM[1]FF[4]CA[GB2312]SZ[19]PB[" + "柯洁".encode("gb2312") + b"]PW[" + \
           "古力".encode("gb2312") + b"];B[pd])"
    rec = sgf.read_game(data)
    assert rec.black_player == "柯洁" and rec.white_player == "古力"
    assert rec.charset == "GB18030"  # the GB2312 superset, as files labelled GB2312 often hold GBK


def test_charset_from_ca_latin1():
    data = b"(;GM[1]FF[4]CA[ISO-8859-1]SZ[19]PB[M\xfcller]PW[Ren\xe9];B[pd])"
    rec = sgf.read_game(data)
    assert rec.black_player == "Müller" and rec.white_player == "René"
    assert rec.charset == "ISO-8859-1"
    assert sgf.read_game(data.replace(b"ISO-8859-1", b"Latin-1")).black_player == "Müller"


def test_charset_missing_ca_utf8():
    data = "(;GM[1]FF[4]SZ[19]PB[井山裕太]PW[Müller];B[pd])".encode("utf-8")
    rec = sgf.read_game(data)
    assert rec.black_player == "井山裕太" and rec.white_player == "Müller"
    assert rec.charset == "UTF-8"


def test_charset_missing_ca_latin1_bytes():
    data = b"(;GM[1]FF[4]SZ[19]PB[M\xfcller]PW[Fran\xe7ois];B[pd])"  # not valid UTF-8
    rec = sgf.read_game(data)
    assert rec.black_player == "Müller" and rec.white_player == "François"
    assert rec.charset == "ISO-8859-1"


def test_charset_unknown_ca_falls_back_and_bad_bytes_do_not_reject():
    rec = sgf.read_game("(;CA[no-such-charset]SZ[19]PB[Müller];B[pd])".encode("utf-8"))
    assert rec.black_player == "Müller" and rec.charset == "UTF-8"
    rec = sgf.read_game(b"(;CA[UTF-8]SZ[19]PB[M\xfcller];B[pd])")  # mislabelled: replaced
    assert rec.black_player == "M\ufffdller" and rec.moves == [(BLACK, (15, 15))]


# --- setup, handicap, passes ------------------------------------------------------------------

def test_setup_stones_and_compressed_lists():
    rec = sgf.read_game(game(b"AB[aa:bb][ee]AW[ia]PL[W]", b";W[ii]"))
    assert(rec.setup_black) == [(4, 4), (7, 0), (7, 1), (8, 0), (8, 1)]
    assert rec.setup_white == [(8, 8)]
    assert rec.to_move == WHITE and rec.moves == [(WHITE, (0, 8))]
    board = sgf.replay(rec)
    assert board.color_at(board.point(8, 0)) == BLACK
    assert board.color_at(board.point(8, 8)) == WHITE
    assert board.color_at(board.point(0, 8)) == WHITE
    assert len(board.moves) == 1


def test_setup_in_second_node_and_after_moves():
    rec = sgf.read_game(game(b"", b";AB[cc];AW[gg]AE[cc];B[ee]"))
    assert rec.setup_black == [] and rec.setup_white == [(2, 6)]
    with pytest.raises(GameError) as e:
        sgf.read_game(game(b"", b";B[ee];AB[cc];W[gg]"), source="mid.sgf")
    assert e.value.category == "setup after moves" and "mid.sgf" in str(e.value)


def test_setup_on_occupied_point_and_without_liberties():
    with pytest.raises(GameError) as e:
        sgf.read_game(game(b"AB[cc]AW[cc]"), source="both.sgf")
    assert e.value.category == "setup" and "both.sgf" in str(e.value)
    rec = sgf.read_game(game(b"AB[ba][ab]AW[aa]"), source="dead.sgf")  # white stone, no liberty
    with pytest.raises(GameError) as e:
        sgf.replay(rec)
    assert e.value.category == "setup" and "dead.sgf" in str(e.value)


def test_handicap_game_from_kgs():
    rec = sgf.read_game(DATA / "kgs-handicap.sgf")
    assert rec.handicap == 3 and rec.komi == 0.5 and rec.size == 19
    assert rec.setup_black == sorted([(3, 3), (3, 15), (15, 15)])
    assert rec.moves[0] == (WHITE, (16, 3))  # W[dc]
    assert rec.first_to_move == WHITE
    assert rec.black_rank == "4d" and rec.white_rank == "7d"
    assert (rec.winner, rec.win_by, rec.result) == (WHITE, "time", "W+Time")
    assert rec.source == str(DATA / "kgs-handicap.sgf")
    board = sgf.replay(rec)
    assert len(board.moves) == len(rec.moves)
    assert sgf.replay(GameRecord(size=19, handicap=3, setup_black=rec.setup_black)).to_move == WHITE


def test_handicap_without_setup_stones():
    rec = sgf.read_game(game(b"HA[2]KM[0.5]", b";W[ee]"))
    board = sgf.replay(rec)  # fixed handicap placed
    assert board.color_at(board.point(2, 2)) == BLACK and board.color_at(board.point(6, 6)) == BLACK
    rec = sgf.read_game(game(b"HA[2]", b";B[cc];B[gg];W[ee]"))
    board = sgf.replay(rec)  # the handicap stones were given as moves
    assert len(board.moves) == 3 and board.setup_stones == ((), ())
    rec = sgf.read_game(game(b"HA[4]", b";B[pd]", size=19))  # stones not recorded (old KGS)
    board = sgf.replay(rec)
    assert len(board.moves) == 1 and board.setup_stones == ((), ())
    board = sgf.replay(sgf.read_game(game(b"HA[2]")))  # no moves: fixed placement, White to move
    assert len(board.setup_stones[0]) == 2 and board.to_move == WHITE


def test_old_chinese_setup_game():
    rec = sgf.read_game(DATA / "pro-setup.sgf")
    assert rec.handicap == 0 and rec.setup_black == [(3, 3), (15, 15)]  # AB[dp][pd]
    assert rec.setup_white == [(3, 15), (15, 3)]  # AW[dd][pp]
    assert rec.moves[0] == (WHITE, (13, 16)) and rec.first_to_move == WHITE
    assert (rec.winner, rec.margin, rec.date) == (BLACK, 14.0, "1739")
    sgf.replay(rec)


def test_passes():
    rec = sgf.read_game(game(b"", b";B[pd];W[];B[tt];W[dp]", size=19))
    assert rec.moves == [(BLACK, (15, 15)), (WHITE, None), (BLACK, None), (WHITE, (3, 3))]
    board = sgf.replay(rec)
    assert [p for _, p in board.moves][1:3] == [PASS, PASS]
    # tt is a pass on any board up to 19x19 (the FF[3] convention, as sgfmill reads it)
    assert sgf.read_game(game(b"", b";B[ee];W[tt]")).moves == [(BLACK, (4, 4)), (WHITE, None)]
    with pytest.raises(GameError) as e:
        sgf.read_game(game(b"", b";B[ee];W[jj]"), source="off.sgf")
    assert e.value.category == "bad coordinate"
    assert str(e.value) == "off.sgf: move 2 (W[jj]): not a point on 9x9"


def test_small_board_game():
    rec = sgf.read_game(DATA / "pro-9x9.sgf")
    assert rec.size == 9 and rec.komi == 5.5 and len(rec.moves) == 50
    assert rec.black_rank == "3p" and sgf.parse_rank(rec.black_rank) == ("pro", 3)
    board = sgf.replay(rec)
    assert board.size == 9 and board.komi == 5.5


# --- results, ranks, metadata -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("B+3.5", (BLACK, 3.5, "score")), ("W+R", (WHITE, None, "resign")),
    ("W+Resign", (WHITE, None, "resign")), ("B+T", (BLACK, None, "time")),
    ("B+Time", (BLACK, None, "time")), ("W+F", (WHITE, None, "forfeit")),
    ("B+", (BLACK, None, None)), ("w+12", (WHITE, 12.0, "score")), ("W+1半", (WHITE, 1.5, "score")),
    ("0", (None, 0.0, "draw")), ("Jigo", (None, 0.0, "draw")), ("Draw", (None, 0.0, "draw")),
    ("Void", (None, None, "void")), ("?", (None, None, None)), ("Unfinished", (None, None, None)),
    (None, (None, None, None)),
])
def test_parse_result(text, expected):
    assert sgf.parse_result(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("7d", ("dan", 7)), ("2k", ("kyu", 2)), ("9p", ("pro", 9)), ("5d?", ("dan", 5)),
    ("15k", ("kyu", 15)), ("1 dan", ("dan", 1)), ("9段", ("dan", 9)), ("Meijin", None),
    ("", None), (None, None),
])
def test_parse_rank(text, expected):
    assert sgf.parse_rank(text) == expected


def test_record_metadata():
    rec = sgf.read_game(b"(;GM[1]FF[4]SZ[19]KM[6.5]PB[Lee Sedol]BR[9p]PW[AlphaGo]WR[]"
                        b"RE[W+R]DT[2016-03-09]RU[Chinese]EV[Google DeepMind Challenge];B[qd])")
    assert (rec.black_player, rec.white_player, rec.black_rank, rec.white_rank) == \
        ("Lee Sedol", "AlphaGo", "9p", "")
    assert (rec.komi, rec.handicap, rec.date, rec.rules) == (6.5, 0, "2016-03-09", "Chinese")
    assert (rec.result, rec.winner, rec.margin, rec.win_by) == ("W+R", WHITE, None, "resign")
    assert rec.event == "Google DeepMind Challenge"
    assert sgf.read_game(b"(;SZ[19];B[qd])").komi is None


def test_variations_main_line_only_and_collections():
    rec = sgf.read_game(game(b"", b";B[ee](;W[cc];B[gg])(;W[gg];B[cc])"))
    assert rec.moves == [(BLACK, (4, 4)), (WHITE, (6, 2)), (BLACK, (2, 6))]
    games = sgf.read_games(GOOD_9 + b"\n" + GOOD_9_OTHER, source="two.sgf")
    assert [g.source for g in games] == ["two.sgf#1", "two.sgf#2"]
    assert len(games[0].moves) == 4 and len(games[1].moves) == 2


# --- malformed records ------------------------------------------------------------------------

def test_illegal_move_names_file_and_move(tmp_path):
    path = tmp_path / "illegal.sgf"
    path.write_bytes(game(b"", b";B[ee];W[cc];B[gg];W[ee]"))
    rec = sgf.read_game(path)
    with pytest.raises(GameError) as e:
        sgf.replay(rec)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.category == "illegal move: occupied" and err.move_number == 4
    assert str(err) == f"{path}: move 4 (W at E5): occupied"


def test_illegal_suicide_and_ko():
    # white in the corner with no liberties: suicide
    rec = sgf.read_game(game(b"AB[ba][ab]", b";W[aa]"), source="s.sgf")
    with pytest.raises(GameError, match=r"s\.sgf: move 1 \(W at A9\): suicide"):
        sgf.replay(rec)
    # a ko: White captures at B4, Black retakes at once
    board = Board.from_diagram("""
        . X O . .
        X . X O .
        . X O . .
        . . . . .
        . . . . .""", superko=False)
    rec = GameRecord(size=5, setup_black=sorted(board.rowcol(p) for p in board.stones(BLACK)),
                     setup_white=sorted(board.rowcol(p) for p in board.stones(WHITE)),
                     moves=[(WHITE, (3, 1)), (BLACK, (3, 2))], source="ko.sgf")
    with pytest.raises(GameError) as e:
        sgf.replay(rec)
    assert str(e.value) == "ko.sgf: move 2 (B at C4): ko"
    assert e.value.category == "illegal move: ko"
    assert len(sgf.replay(dataclasses.replace(rec, moves=rec.moves[:1])).moves) == 1


def test_malformed_records():
    cases = {
        b"(;GM[1]SZ[25];B[aa])": "board size",
        b"(;GM[1]SZ[1])": "board size",
        b"(;GM[1]SZ[19:13])": "board size",
        b"(;GM[1]SZ[9];B[zz])": "bad coordinate",
        b"(;GM[1]SZ[9]AB[zz])": "bad coordinate",
        b"(;GM[1]SZ[9];B[ee]": "parse error",
        b"not an sgf file": "parse error",
    }
    for data, category in cases.items():
        with pytest.raises(GameError) as e:
            sgf.read_game(data, source="bad.sgf")
        assert e.value.category == category, data
        assert str(e.value).startswith("bad.sgf: ")


# --- writing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["kgs-handicap.sgf", "pro-setup.sgf", "pro-9x9.sgf"])
def test_round_trip(name):
    rec = sgf.read_game(DATA / name)
    data = sgf.write_game(rec)
    assert data.startswith(b"(;FF[4]") and b"CA[UTF-8]" in data and b"GM[1]" in data
    again = sgf.read_game(data)
    assert again == rec
    assert sgf.write_game(again) == data


def test_round_trip_unicode_passes_and_fields():
    rec = GameRecord(size=13, komi=6.5, handicap=2, setup_black=[(3, 3), (9, 9)], to_move=WHITE,
                     moves=[(WHITE, (2, 10)), (BLACK, None), (WHITE, None)], result="W+1.5",
                     winner=WHITE, margin=1.5, win_by="score", black_player="柯洁",
                     white_player="Müller [x]\\y", black_rank="9p", white_rank="1d",
                     date="2026-11-21", rules="Japanese", event="test")
    data = sgf.write_game(rec)
    assert sgf.read_game(data) == rec
    assert sgf.write_game(rec, result="B+R").count(b"RE[B+R]") == 1


def test_write_board():
    board = Board(9, komi=7.0, superko=False)
    board.place_handicap(2)
    for vertex in ("E5", "C7", "pass"):
        board.play(board.parse_vertex(vertex))
    rec = sgf.read_game(sgf.write_game(board, result="B+R", black_player="gogo", handicap=2))
    assert rec.handicap == 2 and rec.komi == 7.0 and rec.black_player == "gogo"
    assert rec.moves == [(WHITE, (4, 4)), (BLACK, (6, 2)), (WHITE, None)]
    assert sgf.replay(rec).diagram() == board.diagram()


# --- sources and bulk reading -----------------------------------------------------------------

CORRUPT = b"(;GM[1]SZ[9];B[ee];W[cc"  # truncated


def make_sources(tmp_path):
    folder = tmp_path / "games"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.sgf").write_bytes(GOOD_9)
    (folder / "sub" / "b.SGF").write_bytes(GOOD_9_OTHER)
    (folder / "sub" / "bad.sgf").write_bytes(CORRUPT)
    (folder / "notes.txt").write_text("not a game")
    tgz = tmp_path / "games.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        for name, data in (("t/a.sgf", GOOD_9), ("t/bad.sgf", CORRUPT), ("t/c.sgf", GOOD_9_OTHER),
                           ("t/readme.txt", b"hello")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    zpath = tmp_path / "games.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("z/a.sgf", GOOD_9)
        zf.writestr("z/bad.sgf", CORRUPT)
        zf.writestr("z/two.sgf", GOOD_9 + GOOD_9_OTHER)
    return folder, tgz, zpath


def test_folder_tar_zip_with_a_corrupt_file(tmp_path):
    folder, tgz, zpath = make_sources(tmp_path)
    items = list(sgf_sources.iter_sources([folder]))
    assert [type(i).__name__ for i in items] == ["GameRecord", "GameRecord", "GameError"]
    assert items[2].source == str(folder / "sub" / "bad.sgf")

    items = list(sgf_sources.iter_sources([tgz]))
    assert [i.source for i in items] == [f"{tgz}:t/a.sgf", f"{tgz}:t/bad.sgf", f"{tgz}:t/c.sgf"]
    assert isinstance(items[1], GameError) and items[1].category == "parse error"

    errors = []
    reader = sgf_sources.Reader([folder, tgz, zpath], on_error=errors.append, replay=True)
    good = list(reader)
    assert (reader.read, reader.good, reader.rejected) == (10, 7, 3)
    assert len(good) == 7 and all(isinstance(g, GameRecord) for g in good)
    assert {e.source for e in errors} == {str(folder / "sub" / "bad.sgf"), f"{tgz}:t/bad.sgf",
                                           f"{zpath}:z/bad.sgf"}
    assert reader.reasons == {"parse error": 3}
    assert f"{zpath}:z/two.sgf#2" in {g.source for g in good}


def test_reader_reports_to_stderr_and_survives_broken_archive(tmp_path, capsys):
    folder, tgz, _ = make_sources(tmp_path)
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(tgz.read_bytes()[:40])
    missing = tmp_path / "missing.sgf"
    reader = sgf_sources.Reader([broken, missing, folder])
    assert len(list(reader)) == 2
    assert reader.rejected == 3 and reader.reasons["read error"] == 2
    err = capsys.readouterr().err
    assert "broken.tar.gz" in err and "missing.sgf" in err and "bad.sgf" in err


def test_game_key_finds_duplicates():
    a, b = sgf.read_game(GOOD_9), sgf.read_game(GOOD_9.replace(b"PB[Alice]", b"PB[Carol]"))
    assert sgf.game_key(a) == sgf.game_key(b)
    assert sgf.game_key(a) != sgf.game_key(sgf.read_game(GOOD_9_OTHER))
    assert sgf.game_key(a) != sgf.game_key(sgf.read_game(GOOD_9.replace(b"SZ[9]", b"SZ[19]")))


# --- the `gogo replay` command ----------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 2])
def test_replay_command(tmp_path, workers):
    from cli.main import main
    folder, tgz, zpath = make_sources(tmp_path)
    (folder / "illegal.sgf").write_bytes(game(b"", b";B[ee];W[ee]"))
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["replay", str(folder), str(tgz), str(zpath), "--json",
                       "--workers", str(workers), "--show-rejects", "2"])
    assert status == 0
    report = json.loads(out.getvalue())
    assert (report["games_read"], report["good"], report["rejected"]) == (11, 7, 4)
    assert report["rejections"]["parse error"]["count"] == 3
    assert len(report["rejections"]["parse error"]["examples"]) == 2
    example = report["rejections"]["illegal move: occupied"]["examples"][0]
    assert example == {"source": str(folder / "illegal.sgf"), "detail": "move 2 (W at E5): occupied"}
    assert report["board_sizes"] == {"9": 7}
    # GOOD_9 appears 3 times, GOOD_9_OTHER 4 times: 5 repeats of 2 sequences
    assert report["duplicates"]["games"] == 5 and report["duplicates"]["distinct_sequences"] == 2
    assert report["per_source"][str(tgz)] == {"read": 3, "good": 2, "rejected": 1, "duplicates": 2}
