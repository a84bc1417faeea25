"""Batch work: replaying many cases (``replay``: JSON Lines in, decisions out, in worker
processes), the compact decision line and policy-diff outcomes (``compact``), and the case
generator (``generate``)."""
