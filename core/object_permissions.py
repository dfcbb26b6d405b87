"""Abstract bases of the direct foreign-key object-permission tables (django-guardian), with
Chinese labels: guardian's own bases leave "user", "group" and "permission" unlabelled, and the
tables' names appear in the admin's delete confirmations."""
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class UserGrant(UserObjectPermissionBase):
    permission = models.ForeignKey(Permission, verbose_name="权限", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = True

    def __str__(self):
        from core.people import person_label

        return f"{person_label(self.user)}：{self.permission.name}（{self.content_object}）"


class GroupGrant(GroupObjectPermissionBase):
    permission = models.ForeignKey(Permission, verbose_name="权限", on_delete=models.CASCADE)
    group = models.ForeignKey(Group, verbose_name="角色", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = True

    def __str__(self):
        return f"{self.group.name}：{self.permission.name}（{self.content_object}）"
