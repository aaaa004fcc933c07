"""The arguments of the RPC methods the PBX and scripts call, checked first.

XML-RPC and JSON-RPC hand a method whatever the caller sent: a number as an
integer, a list, ``None``. Each checker returns the value it accepts or raises
a ``UserError`` in the user's language that names the argument and what it
should be, so that a wrong call gets an answer instead of a traceback.
"""

from odoo.exceptions import UserError


def text(env, value, name, example):
    if isinstance(value, str):
        return value
    raise UserError(
        env._(
            "%(argument)s must be given as text, for example %(example)s.",
            argument=name,
            example=example,
        )
    )


def optional_text(env, value, name, example):
    """Text or nothing (``None``, ``False`` or an empty string): ``False``."""
    if value is None or value is False or value == "":
        return False
    return text(env, value, name, example)


def positive_integer(env, value, name):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise UserError(
        env._("%(argument)s must be a whole number from 1 up.", argument=name)
    )


def choice(env, value, name, choices):
    if isinstance(value, str) and value in choices:
        return value
    raise UserError(
        env._(
            "%(argument)s must be one of %(choices)s.",
            argument=name,
            choices=", ".join(choices),
        )
    )
