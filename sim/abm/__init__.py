"""The agent-based model: negotiators who concede over time, in Mesa's layout.

`model.py` (the Mesa model, its step's stages), `agents.py` (negotiators, mediator,
electorate), `concession.py` (strategies), `war.py` (the no-deal outlook over time),
`board.py` (the candidates and their tables, computed once), `run.py` (our runner, serial or
in worker processes), `result.py` (what many runs show), `store.py` (Parquet parts).
"""
