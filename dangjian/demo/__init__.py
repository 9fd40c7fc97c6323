"""The demo city (青山市): a deterministic, realistic data set for evaluating the platform.

`generator.generate(seed, size, today)` builds the whole city in memory (pure Python, no database);
`loader.load(city)` writes it in one transaction. `dangjian demo` and `dangjian demo_logins` are the
commands on top. Same seed, size and reference date give the same data.
"""
