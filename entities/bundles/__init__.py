"""Bundles: Dispatch's multi-document YAML, imported and exported through the services.

People who used the original Dispatch keep their resources in YAML files (`dispatch create -f`):
documents separated by `---`, dispatched on `kind`, with Dispatch's camelCase fields and
`tags: [{key: Application, value: X}]`. This package maps those documents to the kinds of the registry
and back, and applies a bundle all or nothing: one transaction, create or update per document, reads
through the access gate and writes through the services, so every rule of the other surfaces holds.

The package, by responsibility: `fields` (one class per shape of field, per kind), `format` (documents
<-> fields, YAML in and out), `apply` (create or update, or delete, with a dry run) and `export`
(entities and applications as documents). Its callers use the names below.

Import decisions (documented in the README):
- A document's fields that are present are set; absent ones keep their current value on update.
- Unknown fields are an error (they are usually typos); read-only fields that Dispatch wrote in its
  own output (`id`, `status`, `createdTime`, ...) are ignored.
- A document whose fields, applications and tags already hold is `unchanged` and is not written, so
  re-importing a bundle changes nothing and needs no write permission. Secret values are compared
  only for callers who may read them; for anyone else a document with values is a change (and
  refused when they may not write), whether the values are right or wrong.
- Documents are applied in the registry's order (what is referenced comes first), whatever their order
  in the file; errors name the document's position in the file, its kind and its name.
"""

from .apply import ACTIONS, apply_bundle, delete_bundle
from .export import application_documents, document_queryset, documents_of, export_application
from .format import BundleError, dump

__all__ = [
    "ACTIONS",
    "BundleError",
    "application_documents",
    "apply_bundle",
    "delete_bundle",
    "document_queryset",
    "documents_of",
    "dump",
    "export_application",
]
