"""The agent-based model (issue 8): negotiators who concede over time, in Mesa's layout.

So far: the concession strategies (`concession.py`). The model, its agents, the war process and
the runner follow.
"""
