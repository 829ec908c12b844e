"""The lookup segura.pam.mysafe_api_secret, through real ansible-playbook runs against the simulator.

What only the API secret lookup is tested for: the precedence of its connection options. What every
item lookup does is tested once per kind in ``tests/integration/behaviours/test_lookup_by_kind.py``.
"""

import json

import pytest

from item_support import seed

LOOKUP = "segura.pam.mysafe_api_secret"
# Connection values that must never be used: a closed port and a CA file that does not exist.
DEAD_URL = "https://127.0.0.1:9"
MISSING_CA = "/nonexistent/segura-ca.pem"


def quoted(value):
    """A single-quoted Jinja string literal (it sits inside a double-quoted YAML string)."""
    return "'%s'" % value.replace("\\", "\\\\").replace("'", "\\'")


# --------------------------------------------------------------------------- connection option precedence

# Highest first. Each level is given to a different simulator user, who owns a secret named
# after them with identifier_code "whoami": the name the lookup returns shows whose connection
# settings were used. Levels that must lose get a dead URL and a missing CA file as well, so
# that using any of their values shows too.
LEVELS = ("keyword", "variable", "env", "legacy_env", "ansible_cfg")
USER_AT = dict(zip(LEVELS, ("admin", "alice", "bob", "carol", "dave")))
ENV_NAMES = {"env": "SEGURA_%s", "legacy_env": "SENHASEGURA_%s"}
OPTIONS = ("url", "client_id", "client_secret", "ca_path")
NOBODY = {"client_id": "nobody-client-id"}


def settings_of(sim, level, usable=True):
    """A full connection of the level's user; an unusable one has a dead URL and a missing CA."""
    return dict(url=sim.url if usable else DEAD_URL, ca_path=str(sim.ca_path) if usable else MISSING_CA,
                **sim.users[USER_AT[level]])


def prefixed(settings):
    return {"segura_" + option: value for option, value in settings.items()}


class Precedence(object):
    """Sets the controller-wide levels (environment, ansible.cfg), then runs probes: one lookup
    each, with its own keyword arguments and task variables. ``run`` returns, per probe, the
    owner it read ("" on failure) and its error message ("" on success)."""

    def __init__(self, runner):
        self.runner = runner
        # None removes the runner's own SEGURA_* defaults: every level is set on purpose.
        self.env = {(pattern % option.upper()): None for pattern in ENV_NAMES.values() for option in OPTIONS}
        self.ini = {}

    def set(self, level, settings):
        if level == "ansible_cfg":
            self.ini.update(settings)
            return
        for option, value in settings.items():
            # There is no SENHASEGURA_CA_PATH: the legacy names cover the URL and credentials only.
            pattern = "SEGURA_%s" if option == "ca_path" else ENV_NAMES[level]
            self.env[pattern % option.upper()] = value

    def run(self, *probes):
        if self.ini:
            lines = ["[segura]"] + ["%s = %s" % item for item in sorted(self.ini.items())]
            (self.runner.workdir / "ansible.cfg").write_text("\n".join(lines) + "\n")
        tasks = []
        for number, (keywords, variables) in enumerate(probes):
            arguments = "".join(", %s=%s" % (k, quoted(v)) for k, v in sorted(prefixed(keywords).items()))
            tasks.append({
                "name": "Probe %d" % number, "vars": prefixed(variables), "register": "probe_%d" % number,
                "ignore_errors": True,
                "ansible.builtin.set_fact": {"owner_%d" % number: "{{ lookup('%s', 'whoami', by='identifier_code', "
                                                                  "field='name'%s) }}" % (LOOKUP, arguments)},
            })
        report = " + ".join("[[owner_%d | default(''), probe_%d.msg | default('')]]" % (n, n)
                            for n in range(len(probes)))
        tasks.append({"ansible.builtin.copy": {"content": "{{ (%s) | to_json }}" % report,
                                               "dest": "{{ playbook_dir }}/probes.json", "mode": "0600"}})
        # JSON is YAML: no quoting or indentation to get wrong.
        result = self.runner.run(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                                            indent=2), env=self.env)
        assert result.rc == 0, result
        assert no_client_secret_in(result.output, self.runner.simulator)
        return json.loads((self.runner.workdir / "probes.json").read_text())


def no_client_secret_in(output, sim):
    return not any(creds["client_secret"] in output for creds in sim.users.values())


def owned_by(level):
    return ["owned by " + USER_AT[level], ""]


def refused_nobody(outcome):
    owner, message = outcome
    return owner == "" and "refused the token request" in message and "client id 'nobody-client-id' (HTTP 401" \
        in message and "Check segura_client_id and segura_client_secret" in message


@pytest.fixture
def owners(sim):
    for user in USER_AT.values():
        seed(sim, "api_secret", owner=user, name="owned by " + user, identifier_code="whoami")


def test_keywords_beat_variables_and_variables_beat_the_controller_settings(playbook, sim, owners):
    precedence = Precedence(playbook)
    precedence.set("ansible_cfg", settings_of(sim, "ansible_cfg", usable=False))
    precedence.set("legacy_env", settings_of(sim, "legacy_env", usable=False))
    precedence.set("env", settings_of(sim, "env"))
    keyword, variable = settings_of(sim, "keyword"), settings_of(sim, "variable")

    outcomes = precedence.run(
        (keyword, settings_of(sim, "variable", usable=False)),
        ({}, variable),
        # The mirror image: a wrong value at the higher level fails although the lower one works.
        (NOBODY, variable),
        ({}, NOBODY),
    )

    assert outcomes[0] == owned_by("keyword")
    assert outcomes[1] == owned_by("variable")
    assert refused_nobody(outcomes[2]), outcomes[2]
    assert refused_nobody(outcomes[3]), outcomes[3]
    counters = sim.control.counters()
    assert counters["token"] == 4 and counters["endpoints"]["list"] == 2


@pytest.mark.parametrize("level", ("env", "legacy_env", "ansible_cfg"))
def test_each_controller_level_wins_over_the_lower_ones(playbook, sim, owners, level):
    precedence = Precedence(playbook)
    for lower in reversed(LEVELS[LEVELS.index(level) + 1:]):
        precedence.set(lower, settings_of(sim, lower, usable=False))
    precedence.set(level, settings_of(sim, level))

    assert precedence.run(({}, {})) == [owned_by(level)]
    assert sim.control.counters()["token"] == 1


@pytest.mark.parametrize("level", ("env", "legacy_env"))
def test_a_wrong_controller_value_is_not_rescued_by_lower_levels(playbook, sim, owners, level):
    precedence = Precedence(playbook)
    for lower in reversed(LEVELS[LEVELS.index(level) + 1:]):
        precedence.set(lower, settings_of(sim, lower))
    precedence.set(level, NOBODY)

    [outcome] = precedence.run(({}, {}))
    assert refused_nobody(outcome), outcome
    counters = sim.control.counters()
    assert counters["token"] == 1 and counters["endpoints"]["list"] == 0
