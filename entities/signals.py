"""Keep `Entity.unassigned` true to the ApplicationItem rows, whoever changes them.

Entities join and leave applications through their `applications` manager (taggit sends m2m_changed),
and lose them all at once when an application is deleted (the rows go by cascade).
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, pre_delete
from django.dispatch import receiver

from applications.models import Application, ApplicationItem

from .kinds import KINDS


def refresh_unassigned(model, ids, using: str = "default") -> None:
    """Recompute the flag for these entities from the through table, in one UPDATE."""
    if not ids:
        return
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    items = ApplicationItem.objects.using(using).filter(content_type=content_type, object_id=OuterRef("pk"))
    model.objects.using(using).filter(pk__in=list(ids)).update(unassigned=~Exists(items))


@receiver(m2m_changed, sender=ApplicationItem)
def applications_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not isinstance(instance, Application):
        refresh_unassigned(type(instance), [instance.pk])


@receiver(pre_delete, sender=Application)
def remember_members_of_deleted_application(sender, instance, **kwargs):
    tagged = defaultdict(list)
    for content_type_id, object_id in instance.items.values_list("content_type_id", "object_id"):
        tagged[content_type_id].append(object_id)
    instance._tagged_before_delete = tagged


@receiver(post_delete, sender=Application)
def refresh_members_of_deleted_application(sender, instance, **kwargs):
    models_by_ct = {ContentType.objects.get_for_model(kind.model).pk: kind.model for kind in KINDS}
    for content_type_id, ids in getattr(instance, "_tagged_before_delete", {}).items():
        if content_type_id in models_by_ct:
            refresh_unassigned(models_by_ct[content_type_id], ids)
