"""PostgreSQL for the test suite: Django's backend, with the tables emptied between the tests
that commit (browser journeys, live server, real workers) by DELETE instead of TRUNCATE.

TRUNCATE replaces every table's files: for the project's 75 tables it took 2.3–3 s a test on
CI's machine, against 5–25 ms for DELETE on the few rows a test leaves. Django's foreign keys
on PostgreSQL are DEFERRABLE INITIALLY DEFERRED and the flush runs in one transaction, so the
order of the DELETEs does not matter. A test that asks for its sequences reset
(``reset_sequences=True``) gets Django's own TRUNCATE ... RESTART IDENTITY.

Used when the tests run on PostgreSQL (emergence/settings_test.py); never in production.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
