"""The PostgreSQL backend (psycopg 3): imported only for postgresql:// registries, so that a
command on a file never loads psycopg."""

from .uow import PostgresUnitOfWork, create, registry_exists

__all__ = ["PostgresUnitOfWork", "create", "registry_exists"]
