"""The kg: vocabulary as an rdflib DefinedNamespace, so a typo fails at import."""

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_TTL = Path(__file__).with_name("kg.ttl")
GAZETTEER = Path(__file__).with_name("gazetteer.toml")
KGI = Namespace("https://w3id.org/kgqa/id/")


class KG(DefinedNamespace):
    """Terms of ontology/kg.ttl."""

    _fail = True
    _NS = Namespace("https://w3id.org/kgqa/ontology#")

    AccessControl: URIRef
    AntiPattern: URIRef
    Assertion: URIRef
    Attribute: URIRef
    Auditing: URIRef
    Authentication: URIRef
    CompressionCodec: URIRef
    Concept: URIRef
    DataFormat: URIRef
    Deck: URIRef
    Domain: URIRef
    EncryptionAtRest: URIRef
    EncryptionInTransit: URIRef
    Entity: URIRef
    Feature: URIRef
    Limit: URIRef
    ListItem: URIRef
    Listing: URIRef
    Negation: URIRef
    NetworkIsolation: URIRef
    SecurityCategory: URIRef
    SecurityFeature: URIRef
    Service: URIRef
    Slide: URIRef
    Software: URIRef
    ThirdPartyProduct: URIRef
    Unit: URIRef
    about: URIRef
    alternative: URIRef
    attributeName: URIRef
    attributeValue: URIRef
    category: URIRef
    confidence: URIRef
    description: URIRef
    dimension: URIRef
    entityType: URIRef
    factor: URIRef
    fileName: URIRef
    header: URIRef
    hasAntiPattern: URIRef
    hasAttribute: URIRef
    hasLimit: URIRef
    hasListing: URIRef
    hasNegation: URIRef
    hasSecurityFeature: URIRef
    inDomain: URIRef
    integratesWith: URIRef
    lineEnd: URIRef
    lineStart: URIRef
    listItem: URIRef
    mechanism: URIRef
    member: URIRef
    memberText: URIRef
    mentions: URIRef
    negatedProperty: URIRef
    object: URIRef
    page: URIRef
    position: URIRef
    partOf: URIRef
    predicate: URIRef
    qualifier: URIRef
    quantity: URIRef
    readsFrom: URIRef
    relationKind: URIRef
    role: URIRef
    sha256: URIRef
    slideNumber: URIRef
    subject: URIRef
    successorOf: URIRef
    symbol: URIRef
    text: URIRef
    triggers: URIRef
    unit: URIRef
    unresolved: URIRef
    value: URIRef
    valueMax: URIRef
    writesTo: URIRef
