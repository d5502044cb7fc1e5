"""Access: who may read and write what, by role and production (roles as data, scoped reads, RLS)."""

from prodlib.access.roles import (
    ROLES,
    Department,
    Grant,
    Member,
    RoleBook,
    load_roles,
)

__all__ = ["ROLES", "Department", "Grant", "Member", "RoleBook", "load_roles"]
