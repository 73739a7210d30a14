#!/usr/bin/env python3
"""Extracts the parameter table of Exchange cmdlet reference pages into JSON test data.

The pages are the PowerShell reference's Markdown (platyPS) files, from
MicrosoftDocs/office-docs-powershell, exchange/exchange-ps/ExchangePowerShell/<Cmdlet>.md.
For every `### -<Parameter>` section of a page it records:

* `type`: the `Type:` of the section's YAML block (e.g. Boolean, MultiValuedProperty,
  TenantConnectorType, SwitchParameter);
* `values`: the values listed under "Valid values are:" (the text of each top-level bullet
  before its colon, `$null (blank)` as `$null`); empty when the page lists none;
* `default`: the value whose bullet says "This value is the default", else the value of a
  sentence "The default value is X", else the YAML `Default value:` unless it is `None`;
  null when none is given;
* `required`: whether any of its YAML blocks says `Required: True`;
* `exchange_online`: whether its "Applicable:" line names Exchange Online.

Usage: extract-cmdlet-params.py <pages directory> <output.json> "<source description>"
The output is deterministic (sorted keys), so a rerun on the same pages changes nothing.
"""

import json
import pathlib
import re
import sys


def sections(text):
    """(parameter name, section text) of every `### -Name` section."""
    parts = re.split(r"^### -(\w+)\s*$", text, flags=re.M)
    for i in range(1, len(parts), 2):
        yield parts[i], parts[i + 1]


# How the pages introduce the list of a parameter's values.
INTRODUCTIONS = ("Valid values", "can have the following values", "includes the following values")
# A bullet marking its value as the default ("... This value is the default." ends it; "This
# value is the default for connectors created by ..." is a different statement).
DEFAULT_MARK = re.compile(r"This value is the default(\.|$| when you use this cmdlet)|This is the default value")


def valid_values(body):
    """The values of the first bullet list of values and the one marked default. Indented
    lines (sub-bullets, continuations) belong to the bullet above them."""
    values, default = [], None
    lines = body.splitlines()
    start = next(
        (i for i, l in enumerate(lines) if any(t in l for t in INTRODUCTIONS)), None
    )
    if start is None:
        return values, default
    for line in lines[start + 1 :]:
        if not line.strip() or line[0].isspace():
            continue
        if not line.startswith("- "):
            if values:
                break
            continue
        item = line[2:]
        value = item.split(":", 1)[0].strip() if ":" in item else item.strip()
        value = value.replace("(blank)", "").strip().strip("`")
        values.append(value)
        if DEFAULT_MARK.search(item):
            default = value
    return values, default


def parameter(body):
    types = re.findall(r"^Type: (.+)$", body, flags=re.M)
    yaml_defaults = re.findall(r"^Default value: (.+)$", body, flags=re.M)
    applicable = re.search(r"^> Applicable: (.+)$", body, flags=re.M)
    values, default = valid_values(body)
    if default is None:
        m = re.search(r"The default value is (blank|\$?[\w.]+)", body)
        if m:
            default = "$null" if m.group(1) == "blank" else m.group(1).rstrip(".")
    if default is None and yaml_defaults and yaml_defaults[0].strip() != "None":
        default = yaml_defaults[0].strip()
    ty = types[0].strip() if types else None
    return {
        "type": ty,
        # A multi-valued parameter's "valid values" describe the forms of its elements (an IP
        # address, a CIDR range...), not a closed set: not recorded.
        "values": [] if ty == "MultiValuedProperty" else values,
        "default": default,
        "required": any(
            r.strip() == "True" for r in re.findall(r"^Required: (.+)$", body, flags=re.M)
        ),
        "exchange_online": bool(applicable and "Exchange Online" in applicable.group(1)),
    }


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    pages, out, source = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
    cmdlets = {}
    for page in sorted(pages.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        title = re.search(r"^title: (.+)$", text, flags=re.M)
        name = title.group(1).strip() if title else page.stem
        params = text.split("## PARAMETERS", 1)[-1].split("### CommonParameters", 1)[0]
        cmdlets[name] = {p: parameter(body) for p, body in sections(params)}
    table = {
        "source": source,
        "generated_by": "scripts/extract-cmdlet-params.py",
        "cmdlets": cmdlets,
    }
    out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
