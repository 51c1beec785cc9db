"""Dependencies: the loaded KB, the settings and the query pool, read from app.state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.sparql_worker import QueryPool
from kg.kb import KB
from kg.settings import Settings


def get_kb(request: Request) -> KB:
    """The KB the lifespan loaded."""
    kb: KB = request.app.state.kb
    return kb


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> QueryPool:
    """The SPARQL query workers."""
    pool: QueryPool = request.app.state.pool
    return pool


KbDep = Annotated[KB, Depends(get_kb)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PoolDep = Annotated[QueryPool, Depends(get_pool)]
