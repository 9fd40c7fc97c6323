"""Django's SQLite backend, plus `PRAGMA optimize` as a connection closes (settings use it for a SQLite URL).

SQLite's planner has no statistics until ANALYZE has run, and without them it takes an equality on any unique
index for the best path: on the demo city, `reverses_id IS NULL` (the dues payments' unique link to the payment a
reversal corrects, NULL on nearly every row) won over the (member, month) index, so a member's dues page read every
payment of the city (150 ms instead of a few). SQLite's advice for short-lived connections, and Django closes one
after each request, is `PRAGMA optimize` at close: it analyzes only the tables that this connection's queries would
have planned with statistics and that have none (or have grown 25-fold since), a sample of each (`analysis_limit`,
set when the connection opens), so it is usually a no-op. It gives up at once when another connection holds the
write lock (an import): the statistics can wait for the next close, a request cannot.
"""

import sqlite3

from django.db.backends.sqlite3 import base

ANALYSIS_LIMIT = 1000  # rows sampled per index by an ANALYZE (about 10 ms on the demo city's largest tables)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        return conn

    def _close(self):
        if self.connection is not None:
            try:
                self.connection.execute("PRAGMA busy_timeout = 0")
                self.connection.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass  # locked by a writer, or a read-only file: the statistics can wait
        super()._close()
