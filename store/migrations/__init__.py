"""Alembic migrations of the case store (run by ``aftersales db upgrade``)."""
