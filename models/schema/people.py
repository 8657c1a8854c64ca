"""Tables about people beyond the User row: the SSH public keys each user logs in with."""

from __future__ import annotations

import peewee as pw

from backroom.models.schema import BaseModel, User, utcnow


class UserKey(BaseModel):
    """One OpenSSH public key of a user; `backroom serve ssh` lets its holder in as them."""

    user = pw.ForeignKeyField(User, backref="ssh_keys", on_delete="RESTRICT")
    algorithm = pw.CharField(max_length=64)  # ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ...
    key = pw.TextField()  # the base64 blob, as in an authorized_keys line
    # SHA256:... as `ssh-keygen -l` prints it; a key belongs to one user only.
    fingerprint = pw.CharField(max_length=100, unique=True)
    comment = pw.CharField(max_length=200, default="")
    created_at = pw.DateTimeField(default=utcnow)


PEOPLE_TABLES: list[type[BaseModel]] = [UserKey]
