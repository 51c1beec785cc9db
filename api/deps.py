"""Dependencies: the version a request is served from (KB, query pool) and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.reload import Follower, Loaded, SparqlPool
from kg.errors import NotReady, StoreUnavailable
from kg.kb import KB
from kg.settings import Settings


def get_loaded(request: Request) -> Loaded:
    """The version serving when this request started; 503 with the reason when there is none."""
    loaded: Loaded | None = getattr(request.state, "served", None)
    follower: Follower = request.app.state.follower
    if loaded is None:
        raise NotReady(f"no data is loaded yet: {follower.problem or 'loading'}")
    if loaded.remote is not None and not follower.reachable:
        raise StoreUnavailable(follower.problem or "the SPARQL server is unreachable")
    return loaded


def get_kb(request: Request) -> KB:
    """The KB of the request's version."""
    return get_loaded(request).kb


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> SparqlPool:
    """The SPARQL query runner of the request's version."""
    return get_loaded(request).pool


KbDep = Annotated[KB, Depends(get_kb)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PoolDep = Annotated[SparqlPool, Depends(get_pool)]
