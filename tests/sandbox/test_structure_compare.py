"""The structural comparator used by the faithfulness test catches what it must (so that test can fail)."""

from __future__ import annotations

from sandbox_structure import json_differences, xml_differences


def test_a_missing_key_an_extra_key_and_a_type_change_are_reported() -> None:
    recorded = {"products": [{"id": 1, "price": "1.000000", "name": "x"}]}
    served = {"products": [{"id": "1", "price": "2.000000", "reference": "y"}]}
    problems = json_differences(recorded, served)
    assert "$.products[0]: keys missing ['name']" in problems
    assert "$.products[0]: keys not in the real answer ['reference']" in problems
    assert "$.products[0].id: int recorded, str served" in problems


def test_data_decided_differences_are_tolerated() -> None:
    recorded = {"a": None, "b": [], "c": "", "d": {"1": {"real": "5"}}, "e": [{"id": 1}]}
    served = {"a": "x", "b": {"options_channel": "web"}, "c": 1795936189, "d": {"7": {"real": "2"}}, "e": []}
    assert json_differences(recorded, served) == []


def test_xml_element_and_attribute_differences_are_reported() -> None:
    head = '<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink">'
    recorded = (
        head + '<product><id><![CDATA[1]]></id><name notFilterable="true">a</name></product></prestashop>'
    )
    served = head + "<product><id>1</id><price>2</price></product></prestashop>"
    assert xml_differences(recorded, served) == [
        "prestashop/product[0]: children ['id', 'name'] recorded, ['id', 'price'] served"
    ]
