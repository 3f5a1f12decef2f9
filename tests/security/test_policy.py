"""Issue 18: one policy, declared once. Permission is refused only by campaign/policy.py (through
``policy.require`` and ``ActionRequiredMixin``), roles are read only by the access layer (campaign/access.py and
each app's ``access.py``, which scope querysets), the policy and its mixin; every action named anywhere is
declared."""

import pathlib
import re

import pytest

from campaign import policy

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("core", "campaign", "imports", "tasks", "hazards", "reporting", "audit", "demo", "devtools", "config")
# Where roles may be read: the policy, its mixin, the layout's role flags, and the access modules that scope
# querysets (one visible_* per model).
ROLE_READERS = {"campaign/policy.py", "campaign/mixins.py", "campaign/context_processors.py", "campaign/access.py",
                "tasks/access.py", "hazards/access.py"}
REFUSAL = re.compile(r"\bPermissionDenied\(|raise PermissionDenied\b")
ROLE_CHECK = re.compile(r"\b(?:access\.)?(is_office|reads_everything|is_liaison|has_access|can_review|can_edit_plan|"
                        r"can_report_for|can_manage_campaign|role_of|account_role|role_in)\(")
NAMED = re.compile(r"""policy\.(?:allows|require)\([^"']*["']([\w.]+)["']|\baction = ["']([\w.]+)["']""")


def sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, path.read_text(encoding="utf-8")


def test_only_the_policy_refuses_and_only_the_access_layer_reads_roles():
    refusals, role_checks = [], []
    for relative, text in sources():
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#")[0]
            if relative != "campaign/policy.py" and REFUSAL.search(code):
                refusals.append(f"{relative}:{number}: {line.strip()}")
            if relative not in ROLE_READERS and ROLE_CHECK.search(code) and not code.lstrip().startswith("def "):
                role_checks.append(f"{relative}:{number}: {line.strip()}")
    assert not refusals, "refuse through campaign.policy.require (or ActionRequiredMixin):\n" + "\n".join(refusals)
    assert not role_checks, "ask campaign.policy.allows, not the role:\n" + "\n".join(role_checks)


def test_every_action_named_in_the_code_is_declared():
    named = set()
    for _, text in sources():
        for match in NAMED.finditer(text):
            named.add(match.group(1) or match.group(2))
    templates = (ROOT / "templates").rglob("*.html")
    assert named, "no action found: the pattern is stale"
    missing = sorted(name for name in named if name not in policy.ACTIONS)
    assert not missing, f"actions used but not declared in campaign/policy.py: {missing}"
    assert all(action.refusal for action in policy.ACTIONS.values())
    assert list(templates)  # the templates ask the context processor's flags, computed by the policy layer


OBJECTLESS = ["member", "office.work", "everything.read", "unit.work", "campaign.manage", "dispatch.view",
              "reports.build", "reports.publish", "bulletin.edit", "progress.review", "progress.enter",
              "hazard.register", "hazard.import", "hazard.export_all", "audit.view"]


@pytest.mark.parametrize("name", OBJECTLESS)
def test_an_account_without_a_role_may_do_nothing(name, django_user_model, db):
    nobody = django_user_model.objects.create_user("nobody", password="pw-123456-test")
    assert name in policy.ACTIONS
    assert not policy.allows(nobody, name)
