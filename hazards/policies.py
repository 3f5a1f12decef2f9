"""The register's actions in the one policy table (campaign/policy.py): a hazard is changed by the units whose
remit it is in (its township, its supervising department) and verified by its supervisor; the office acts for
any."""

import rules

from campaign.policy import declare

from . import services


@rules.predicate
def changes_hazard(user, hazard) -> bool:
    return (services.can_register_in(user, township=hazard.township, supervisor=hazard.supervisor)
            or services.can_verify(user, hazard))


declare("hazard.edit", changes_hazard, "您可以查看该隐患，但无权修改。")
