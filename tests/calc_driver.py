"""Drive a headless LibreOffice Calc for tests/test_calc_addin.py (run by LibreOffice's Python).

``python3 calc_driver.py PROFILE_DIR SPEC.json OUT.json``: starts soffice with that user
profile, fills a new sheet with ``SPEC["cells"]`` ({"at": [col, row], "value": ...}),
types each formula as a user would (``FormulaLocal``: Calc's display names, CHX_REBATE),
array formulas over ``size`` [columns, rows], recalculates, saves the workbook as .ods
(``SPEC["ods"]``), reopens it, recalculates again (``calculateAll``: every formula anew) and
writes each formula's values (rows of cells) to OUT.json, with the seconds the timed block
of ``SPEC["timed"]`` formulas took to recalculate.
"""

import contextlib
import json
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

ERROR, STRING = 4, 2  # com.sun.star.sheet.FormulaResult


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile, pipe):
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;",
        ]
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(300):
        try:
            return office, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.1)
    raise SystemExit("soffice did not start")


def read(cell):
    if cell.getType().value != "FORMULA":
        return cell.getString() if cell.getType().value == "TEXT" else cell.getValue()
    kind = cell.FormulaResultType2
    if cell.getError():
        return f"Err:{cell.getError()}"
    if kind == STRING:
        return cell.getString()
    return cell.getValue()


def wizard(ctx):
    """What the Function Wizard lists for each CHX_ function: description, argument names
    and descriptions (com.sun.star.sheet.FunctionDescriptions)."""
    descriptions = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.sheet.FunctionDescriptions", ctx
    )
    found = {}
    for i in range(descriptions.getCount()):
        entry = {p.Name: p.Value for p in descriptions.getByIndex(i)}
        if str(entry.get("Name", "")).startswith("CHX_"):
            found[entry["Name"]] = {
                "description": entry["Description"],
                "arguments": [[a.Name, a.Description] for a in entry["Arguments"]],
            }
    return found


def main(profile, spec_path, out_path):
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    office, ctx = connect(profile, f"chxtest{abs(hash(profile)) % 100000}")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        doc = desktop.loadComponentFromURL(
            "private:factory/scalc", "_blank", 0, (prop("Hidden", True),)
        )
        sheet = doc.Sheets.getByIndex(0)
        for c in spec["cells"]:
            cell = sheet.getCellByPosition(*c["at"])
            if isinstance(c["value"], str):
                cell.setString(c["value"])
            else:
                cell.setValue(c["value"])
        for f in spec["formulas"] + spec.get("timed", []):
            cell = sheet.getCellByPosition(*f["at"])
            cell.FormulaLocal = f["local"]  # as typed: =CHX_REBATE(D1;A1:B5)
            if f.get("size"):
                api = cell.getFormula()  # the same formula in the file's own names
                cell.setString("")
                (c0, r0), (w, h) = f["at"], f["size"]
                sheet.getCellRangeByPosition(c0, r0, c0 + w - 1, r0 + h - 1).setArrayFormula(api)
        doc.calculateAll()
        url = uno.systemPathToFileUrl(spec["ods"])
        doc.storeToURL(url, (prop("FilterName", "calc8"),))
        doc.close(True)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        sheet = doc.Sheets.getByIndex(0)
        started = time.perf_counter()
        doc.calculateAll()  # every formula of the reopened file, including the timed block
        seconds = time.perf_counter() - started
        results = {}
        for f in spec["formulas"]:
            w, h = f.get("size") or (1, 1)
            c0, r0 = f["at"]
            results[f["id"]] = [
                [read(sheet.getCellByPosition(c0 + i, r0 + j)) for i in range(w)] for j in range(h)
            ]
            results[f["id"] + ":formula"] = sheet.getCellByPosition(c0, r0).FormulaLocal
        timed = spec.get("timed", [])
        results["timed_values"] = [read(sheet.getCellByPosition(*f["at"])) for f in timed]
        results["recalc_seconds"] = seconds
        results["wizard"] = wizard(ctx)
        doc.close(True)
    finally:
        with contextlib.suppress(Exception):  # soffice may already be gone
            desktop.terminate()
        office.wait(timeout=60)
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main(*sys.argv[1:4])
