"""Steps: one module task per step in one ansible-playbook run, each step's result checked.

The item modules of every kind are tested this way (``tests/integration/plugins/modules``): a
step is a set of module options and what its result must show.
"""

import json
import os
import tempfile
from pathlib import Path


def run_playbook(playbook, text, warnings=False, **options):
    """Run a playbook that must succeed, and never print a Python traceback (nor a warning, unless
    the test expects ``warnings``)."""
    result = playbook.run(text, **options)
    assert result.rc == 0, result
    assert "Traceback" not in result.output
    assert warnings or "[WARNING]" not in result.stdout + result.stderr, result
    return result


def step(label, changed=None, operation=None, expect=None, error=None, diff=None, check_mode=False, **options):
    """A step: module options, and what its result must show (``expect``: fields of the returned
    item; ``error``: fragments the failure message must contain; ``diff``: the whole diff).
    ``check_mode``: this step alone runs in check mode."""
    return {"label": label, "options": options, "changed": changed, "operation": operation,
            "expect": expect or {}, "error": error or [], "diff": diff, "check_mode": check_mode}


class ModuleSteps(object):
    """``ModuleSteps("segura.pam.mysafe_password", options, "password")``: apply and check steps."""

    @classmethod
    def for_kind(cls, row, extra_options=()):
        """The steps of the item module of ``row`` (kinds.py), with every option of the kind."""
        return cls(row.module, row.module_options + tuple(extra_options), row.result_key)

    def __init__(self, module, options, result_key):
        self.result_key = result_key
        self.playbook_text = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Apply each step in turn
      %s:
%s
      check_mode: "{{ item.check_mode or ansible_check_mode }}"
      loop: "{{ steps }}"
      loop_control:
        label: "{{ item.label }}"
      register: applied
      failed_when: false

    - name: Keep every step's result for the test (the loop items hold the options in clear)
      ansible.builtin.copy:
        content: "{{ applied.results | to_json }}"
        dest: "{{ results_file }}"
        mode: "0600"
      check_mode: false
      diff: false
      no_log: true
""" % (module, "\n".join('        %s: "{{ item.options.%s | default(omit) }}"' % (option, option)
                         for option in options))

    def apply(self, playbook, steps, warnings=False, **options):
        """One module task per step (a loop, as a user would write it); returns each step's result.

        The steps go in a vars file, as secrets would come from a vault: -vvvv prints ``-e`` values.
        """
        handle, results_file = tempfile.mkstemp(prefix="results-", suffix=".json", dir=str(playbook.workdir))
        os.close(handle)
        steps_file = results_file.replace("results-", "steps-")
        Path(steps_file).write_text(json.dumps({"steps": steps, "results_file": results_file}))
        result = run_playbook(playbook, self.playbook_text, warnings=warnings, args=("-e", "@" + steps_file),
                              **options)
        with open(results_file) as results:
            return json.load(results), result

    def check(self, steps, results):
        assert len(results) == len(steps)
        for wanted, got in zip(steps, results):
            label = wanted["label"]
            if wanted["error"]:
                assert "msg" in got, "%s: expected a failure, got %r" % (label, got)
                for fragment in wanted["error"]:
                    assert fragment in got["msg"], "%s: %r not in %r" % (label, fragment, got["msg"])
                assert got["changed"] is False, label
                continue
            # The module's successful results carry no msg; a failure hidden by failed_when does.
            assert "msg" not in got, "%s failed: %s" % (label, got.get("msg"))
            assert got["changed"] is wanted["changed"], "%s: changed=%s" % (label, got["changed"])
            if wanted["operation"]:
                assert got["operation"] == wanted["operation"], label
            if wanted["diff"] is not None:
                assert got["diff"] == wanted["diff"], "%s: diff=%r" % (label, got["diff"])
            item = got[self.result_key]
            for field, value in wanted["expect"].items():
                assert item[field] == value, "%s: %s.%s=%r" % (label, self.result_key, field, item[field])
