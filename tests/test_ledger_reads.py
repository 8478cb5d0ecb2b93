"""Statements read side by side (``ledger.reads``): the same rows as one after another, an
error where the result is read, and inside a transaction what the transaction has written."""

from __future__ import annotations

import time

import duckdb
import pytest

from channelxl.ledger.reads import side_by_side


def test_side_by_side_gives_each_statement_its_rows(empty_workspace):
    with empty_workspace.open_ledger() as led:
        statements = [
            ("SELECT distributor_id FROM distributors ORDER BY 1", None),
            ("SELECT count(*) FROM resellers", None),
            ("SELECT ? + 1", [41]),
        ]
        expected = [led.con.execute(sql, params).fetchall() for sql, params in statements]
        with side_by_side(led) as read:
            futures = [read(sql, params) for sql, params in statements]
            assert [f.result() for f in futures] == expected
        assert expected[2] == [(42,)]


def test_an_error_is_raised_where_its_result_is_read(empty_workspace):
    with empty_workspace.open_ledger() as led, side_by_side(led) as read:
        bad, good = read("SELECT * FROM no_such_table"), read("SELECT 1")
        assert good.result() == [(1,)]
        with pytest.raises(duckdb.CatalogException):
            bad.result()


def test_inside_a_transaction_the_reads_see_what_it_wrote(empty_workspace):
    """A cursor is a connection of its own and sees only what is committed: inside a
    transaction the statements run on the ledger's connection, and see the uncommitted row."""

    class Undo(Exception):
        pass

    with empty_workspace.open_ledger() as led:
        before = led.count("distributors")
        with pytest.raises(Undo), led.transaction() as con:
            con.execute(
                "INSERT INTO distributors SELECT * REPLACE ('DZZZ' AS distributor_id) "
                "FROM distributors LIMIT 1"
            )
            assert led.in_transaction
            with side_by_side(led) as read:
                assert read("SELECT count(*) FROM distributors").result() == [(before + 1,)]
            raise Undo
        assert not led.in_transaction
        assert led.count("distributors") == before


def test_leaving_on_an_error_stops_the_statements_still_running(empty_workspace):
    """A refusal (or Ctrl+C) raised while a statement still runs stops it instead of waiting
    for its end: its future ends interrupted."""

    class Refused(Exception):
        pass

    with empty_workspace.open_ledger() as led:
        with pytest.raises(Refused), side_by_side(led) as read:
            endless = read("SELECT count(*) FROM range(1_000_000_000_000) a, range(1000) b")
            assert read("SELECT 1").result() == [(1,)]
            time.sleep(0.3)  # the endless statement under way in DuckDB, not just taken up
            assert endless.running()
            raise Refused
        assert isinstance(endless.exception(), duckdb.InterruptException)
