"""Backroom's domain: the schema and every operation that reads or changes stock."""

from backroom.models.drivers import hold_back_while_peewee_loads

hold_back_while_peewee_loads()  # psycopg2 only for a PostgreSQL database: models/drivers.py
