"""What a chaos run and a failed check leave for people and CI to read.

One record per chaos test (`records`: the JSON report, the history copies, the JUnit
property), the table in the terminal (`table`), latency and throughput (`stats`), the
live `chaos >`/`chaos ~` lines (`progress`, `ticker`), the HTML timelines (`html`), and
the bug class of every failed test (`diagnosis`). The pytest plugin loads them all.
"""
