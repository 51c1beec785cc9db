"""Errors that carry their HTTP status, as datasette's Base400/NotFound do."""


class KGError(Exception):
    """Base error of kgqa; `status` is the HTTP status an API maps it to."""

    status = 500
    code = "internal_error"


class BadQuery(KGError):
    """The question or SPARQL query cannot be answered as given."""

    status = 400
    code = "bad_query"


class NotFound(KGError):
    """An entity, slide or data dir that does not exist."""

    status = 404
    code = "not_found"


class BadDeck(KGError):
    """A deck that cannot be read: missing, empty, binary, undecodable, image-only PDF."""

    status = 400
    code = "bad_deck"


class IndexMismatch(KGError):
    """A vector index built with another embedding model than the one configured."""

    status = 500
    code = "index_mismatch"


class ShapeViolation(KGError):
    """The built graph does not conform to the SHACL shapes."""

    status = 500
    code = "shape_violation"


class ModelMissing(KGError):
    """The embedding model is not installed locally."""

    status = 500
    code = "model_missing"


class QueryTimeout(KGError):
    """A SPARQL query ran past its time limit."""

    status = 503
    code = "query_timeout"


class PayloadTooLarge(KGError):
    """A request body or query text over its size limit."""

    status = 413
    code = "payload_too_large"


class NotAcceptable(KGError):
    """No representation matches the request's Accept header."""

    status = 406
    code = "not_acceptable"


class ReadOnly(KGError):
    """An update sent to the read-only SPARQL endpoint."""

    status = 400
    code = "read_only"


class StoreUnavailable(KGError):
    """The SPARQL server holding the graph cannot be reached or failed."""

    status = 503
    code = "store_unavailable"


class NotReady(KGError):
    """No data is loaded yet (the first load is running or waits for the SPARQL server)."""

    status = 503
    code = "not_ready"


class CorruptData(KGError):
    """A data dir whose files do not match the manifest written when it was built."""

    status = 500
    code = "corrupt_data"


class Busy(KGError):
    """Every slot for this kind of request is taken; try again after `retry_after` seconds."""

    status = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DataDirLocked(KGError):
    """Another ingest is writing the same data dir."""

    status = 409
    code = "data_dir_locked"
