"""The sandbox's faker: a ``Faker`` with only the providers its generated data draws on.

``Faker(locale)`` adds all of faker's 26 providers, importing each one's module for the
locale: 30-40 ms of CPU for every locale's first instance, four locales (en_US, de_AT,
nl_NL, nl_BE) on every sandbox start, most of the faker's share of it. The data uses
names, companies, addresses, user names and free email domains, sentences, numbers and
a hash; with the providers that bring those, in faker's own order and ending, as the
full list does, with ``user_agent`` (the last one added binds the methods every provider
has: ``numerify``, ``random_int``, ``random_element``, ``bothify``), every method the
data calls is the same function on the same seeded random: the same seed gives the same
data, byte for byte (compared: each sandbox database, several seeds). A provider method
the data starts to use must have its provider here.
"""

from __future__ import annotations

from faker import Faker

PROVIDERS = [
    f"faker.providers.{name}"
    for name in ("address", "company", "internet", "lorem", "misc", "person", "user_agent")
]


def new_faker(locale: str) -> Faker:
    """A new Faker for ``locale`` (seed it: ``seed_instance``)."""
    return Faker(locale, providers=PROVIDERS)
