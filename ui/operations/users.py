"""User changes on a worker: each new password means argon2 work, which would freeze the window."""

from __future__ import annotations

from app.access.roles import Role
from app.access.session import Session, User
from app.access.users import UserService
from ui.operation import Work


def add_user(session: Session, name: str, role: Role, password: str) -> Work[User]:
    return lambda progress, cancelled: UserService(session).add(name, role, password)


def reset_password(session: Session, name: str, password: str) -> Work[None]:
    return lambda progress, cancelled: UserService(session).reset_password(name, password)


def enable_user(session: Session, name: str, password: str) -> Work[str]:
    return lambda progress, cancelled: UserService(session).enable(name, password)


def set_role(session: Session, name: str, role: Role) -> Work[None]:
    return lambda progress, cancelled: UserService(session).set_role(name, role)


def change_own_password(session: Session, current: str, password: str) -> Work[None]:
    return lambda progress, cancelled: UserService(session).change_own_password(current, password)
