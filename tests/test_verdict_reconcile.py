"""The one headline rule (research.verdict.reconcile): every threshold just below, at and just above."""

from __future__ import annotations

import pytest

from research.verdict import AGREE_SHARE, HEADLINE_LABELS, Verdict, reconcile


def _v(label: str = "supported", level: float | None = 0.90) -> Verdict:
    return Verdict(claim="C5", label=label, hypothesis="h", statistic=1.0, interval=(0.1, 2.0) if level else None,
                   interval_level=level, p_value=0.01)


def _curve(agree: float, oppose: float = 0.0, label: str = "supported", valid: int = 100) -> dict:
    other = "contradicted" if label == "supported" else "supported"
    return {"valid": valid, f"share_{label}": agree, f"share_{other}": oppose,
            "share_inconclusive": max(0.0, 1 - agree - oppose), "share_mixed": 0.0}


@pytest.mark.parametrize("adjusted, expected", [(0.0999, "supported"), (0.10, "supported, fragile"),
                                                (0.1001, "supported, fragile")])
def test_the_adjusted_p_must_be_below_the_verdicts_own_level(adjusted, expected):
    out = reconcile(_v(level=0.90), adjusted, _curve(0.9))
    assert out.label == expected and out.raw == "supported"
    if expected.endswith("fragile"):
        assert "Holm-adjusted p" in out.reason and "0.1" in out.reason


def test_the_level_is_the_verdicts_own():
    # 95% interval: level 0.05, so 0.06 fails where it would pass a 90% verdict
    assert reconcile(_v(level=0.95), 0.06, _curve(0.9)).label == "supported, fragile"
    assert reconcile(_v(level=0.95), 0.049, _curve(0.9)).label == "supported"


@pytest.mark.parametrize("agree, expected", [(AGREE_SHARE - 0.001, "supported, fragile"), (AGREE_SHARE, "supported"),
                                             (AGREE_SHARE + 0.001, "supported")])
def test_fewer_than_half_of_the_curve_agreeing_is_fragile(agree, expected):
    out = reconcile(_v(), 0.01, _curve(agree, oppose=0.0))
    assert out.label == expected
    if expected.endswith("fragile"):
        assert "of 100 valid specifications" in out.reason


@pytest.mark.parametrize("oppose, expected", [(0.299, "supported"), (0.30, "mixed"), (0.301, "mixed")])
def test_a_curve_pointing_the_other_way_as_often_as_it_agrees_is_mixed(oppose, expected):
    assert reconcile(_v(), 0.01, _curve(0.30, oppose=oppose) | {"share_supported": 0.6 if expected == "supported"
                                                                 else 0.30}).label == expected


def test_mixed_needs_an_opposing_share_not_two_zeros():
    # all inconclusive: nothing opposes, but nothing agrees either -> fragile, not mixed
    out = reconcile(_v(), 0.01, _curve(0.0, 0.0))
    assert out.label == "supported, fragile"


def test_contradicted_is_reconciled_the_same_way():
    v = _v("contradicted")
    assert reconcile(v, 0.01, _curve(0.8, 0.0, label="contradicted")).label == "contradicted"
    assert reconcile(v, 0.5, _curve(0.8, 0.0, label="contradicted")).label == "contradicted, fragile"
    assert reconcile(v, 0.01, _curve(0.4, 0.5, label="contradicted")).label == "mixed"


def test_what_cannot_be_checked_is_not_confirmed():
    assert "no p-value" in reconcile(_v(), None, _curve(0.9)).reason
    assert reconcile(_v(), None, _curve(0.9)).label == "supported, fragile"
    assert reconcile(_v(level=None), 0.001, _curve(0.9)).label == "supported, fragile"
    out = reconcile(_v(), 0.01, None)
    assert out.label == "supported, fragile" and "no specification curve" in out.reason
    assert reconcile(_v(), 0.01, {"valid": 0}).label == "supported, fragile"


@pytest.mark.parametrize("label", ["mixed", "inconclusive"])
def test_other_labels_pass_through(label):
    out = reconcile(_v(label), 0.9, _curve(0.0, 0.0))
    assert out.label == out.raw == label


def test_the_issue_case_c5_breakout():
    # raw p 0.096 at a 90% level, Holm 0.77, 97% of the curve inconclusive
    out = reconcile(_v(), 0.77, {"valid": 400, "share_supported": 0.03, "share_contradicted": 0.0,
                                 "share_inconclusive": 0.97, "share_mixed": 0.0})
    assert out.label == "supported, fragile"
    assert "0.770" in out.reason and "3% of 400" in out.reason
    assert out.label in HEADLINE_LABELS


@pytest.mark.parametrize("adjusted, expected", [(0.0999, "supported"), (0.10, "supported, fragile"),
                                                (0.1001, "supported, fragile")])
def test_a_verdict_without_an_interval_is_judged_at_the_level_its_rule_names(adjusted, expected):
    """C4 ranks a gauge in its history: no interval, a p-value (the share of history at or above)
    and the level 1 - its top-decile threshold. It used to be 'fragile' whatever its p-value."""
    v = Verdict(claim="C4", label="supported", hypothesis="h", statistic=97.0, p_value=0.03, alpha=0.1)
    assert v.test_level == 0.1 and _v(level=0.95).test_level == 0.05
    assert reconcile(v, adjusted, _curve(0.9)).label == expected


def test_a_verdict_stating_no_level_stays_fragile():
    v = Verdict(claim="C4", label="supported", hypothesis="h", statistic=97.0, p_value=0.03)
    out = reconcile(v, 0.01, _curve(0.9))
    assert v.test_level is None and out.label == "supported, fragile"
    assert out.reason == "no level to test the adjusted p-value against"


def test_the_level_survives_the_sidecar_and_old_sidecars_have_none():
    v = Verdict(claim="C4", label="supported", hypothesis="h", p_value=0.03, alpha=0.1)
    assert Verdict.from_dict(v.to_dict()).test_level == 0.1
    old = {k: val for k, val in v.to_dict().items() if k != "alpha"}
    assert Verdict.from_dict(old).test_level is None
