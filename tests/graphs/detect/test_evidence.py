"""Evidence: one ramp for risk and roles, one reference date per case, one age and family-name rule."""

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.detect import risk, roles
from crimnet.graphs.detect.evidence import Evidence, family_names, person_ages, reference_date
from crimnet.tables import CanonicalTables


def household(last_seen="2020-06-30"):
    """Four occupants of one address with four family names; 'd' turns 18 the day after the last record."""
    return CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame(
                {
                    "id": list("abcd"),
                    "name": ["ann one", "bo two", "cy three", "di four"],
                    "dob": ["1980-01-01", "1985-05-05", "1990-09-09", "2002-07-01"],
                }
            ),
            "Address": pd.DataFrame({"id": ["h"], "line": ["1 mill lane"], "postcode": ["AB1 2CD"]}),
            "LIVES_AT": pd.DataFrame({"src": list("abcd"), "dst": ["h"] * 4, "last_seen": [last_seen] * 4}),
        }
    )


def test_reference_date_comes_from_the_data():
    t = household()
    assert reference_date(t) == pd.Timestamp("2020-06-30", tz="UTC")
    assert reference_date(CanonicalTables.from_partial({"Person": pd.DataFrame({"id": ["a"]})})) is None
    ages = person_ages(t)
    assert ages.to_dict() == {"a": 40.0, "b": 35.0, "c": 29.0, "d": 17.0}  # completed years on 2020-06-30
    assert person_ages(t, reference="2020-07-01")["d"] == 18.0
    with pytest.raises(ParameterError, match="The 'reference' parameter of person_ages"):
        person_ages(t, reference="not a date")


def test_risk_and_roles_count_the_same_adults():
    t = household()
    c = pd.DataFrame({"cluster_id": [0], "method": ["m"], "members": [list("abcd")], "size": [4], "score": [1.0]})
    assert risk.cluster_features(t, c)["unrelated_adults_address"].iloc[0] == 3.0  # 'd' is 17
    r = roles.infer_roles(t, c)
    assert r["evidence"].str.contains("adults of 3 different family names").all()
    older = household("2020-07-01")  # one day later 'd' is an adult for both
    assert risk.cluster_features(older, c)["unrelated_adults_address"].iloc[0] == 4.0
    assert roles.infer_roles(older, c)["evidence"].str.contains("adults of 4 different family names").all()


def test_one_evidence_type_serves_risk_and_roles():
    assert all(isinstance(e, Evidence) for e in risk.INDICATORS + roles.CONTROLLER_EVIDENCE + roles.VICTIM_EVIDENCE)
    # a risk indicator's weight is the default of its RiskWeights field
    assert {e.name: e.weight for e in risk.INDICATORS} == {
        k: v for k, v in risk.RiskWeights().to_dict().items() if k != "intercept"
    }
    falling = Evidence("x", 8, 2, 1.0, "{v:.1f} and {missing}")
    assert falling.strength([8.0, 5.0, 1.0]).tolist() == [0.0, 0.5, 1.0]
    assert falling.sentences(pd.DataFrame({"x": [2.25, np.nan]})).tolist() == ["2.2 and ?", "? and ?"]


def test_family_names():
    names = pd.Series(["ana maria pop", None, "ion  "], index=[5, 6, 7])
    assert family_names(names).to_dict() == {5: "pop", 6: "", 7: "ion"}
    with pytest.raises(ParameterError, match="The 'values' parameter of family_names"):
        family_names(["a b"])
