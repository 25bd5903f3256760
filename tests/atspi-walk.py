#!/usr/bin/python3
# Walks the accessibility tree of the application with process id PID over
# AT-SPI, as a screen reader sees it, and prints one line per control that
# a screen reader could not name: role, then the path of roles from the
# window. Exit status 0 even when it finds some; the test decides.
#
#   atspi-walk.py PID [WINDOW-NAME]   only the windows whose name contains WINDOW-NAME
#   atspi-walk.py --rows PID          the names of the chat rows (list items) instead
#
# ATSPI_WALK_DUMP=1 prints the whole tree on stderr (the test passes it on).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import sys

import os
import re

import pyatspi

DUMP = os.environ.get('ATSPI_WALK_DUMP') == '1'

# What a user operates: these need a name of their own.
CONTROLS = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT,
    pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_LIST_ITEM,
    pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_CHECK_MENU_ITEM, pyatspi.ROLE_RADIO_MENU_ITEM,
    pyatspi.ROLE_SLIDER, pyatspi.ROLE_LINK, pyatspi.ROLE_PAGE_TAB, pyatspi.ROLE_TEXT,
    pyatspi.ROLE_TABLE_CELL,
}
# Roles whose name a screen reader reads from the text inside.
NAME_FROM_CONTENT = {pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_TABLE_CELL, pyatspi.ROLE_PUSH_BUTTON,
                     pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_LINK, pyatspi.ROLE_MENU_ITEM}


# GTK 4.8 sets "showing" on windows only: "visible" is what there is. A view
# of a stack that is not on top is visible too, so one walk covers them all.
def showing(node):
    return node.getState().contains(pyatspi.STATE_VISIBLE)


# With no name set, GTK 4.8 hands out the widget's type name ("GtkButton"):
# to a listener that is no name at all.
def real_name(name):
    return name if name and not re.fullmatch(r"(Gtk|Adw|Ld)[A-Za-z]+", name) else ""


def content_of(node, depth=0):
    if depth > 8:
        return ""
    if node.getRole() == pyatspi.ROLE_LABEL and real_name(node.name):
        return node.name
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        found = content_of(child, depth + 1) if child is not None else ""
        if found:
            return found
    return ""


def label_of(node):
    if real_name(node.name):
        return node.name
    if node.getRole() in NAME_FROM_CONTENT and content_of(node):
        return content_of(node)
    for relation in node.getRelationSet():
        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
            for i in range(relation.getNTargets()):
                target = relation.getTarget(i)
                if target is not None and (real_name(target.name) or text_of(target)):
                    return real_name(target.name) or text_of(target)
    return ""


def text_of(node):
    try:
        text = node.queryText()
        return text.getText(0, text.characterCount).strip()
    except NotImplementedError:
        return ""


def named_path(path):
    # The nearest named ancestors are what tells a reader where it is.
    named = [p for p in path if "'" in p]
    return named[-3:] + path[-1:]


def walk(node, path, out, rows):
    try:
        role = node.getRole()
        role_name = node.getRoleName()
    except Exception:
        return
    here = path + [role_name + (" '" + real_name(node.name) + "'" if real_name(node.name) else "")]
    if DUMP:
        print("  " * len(path) + role_name + " '" + (node.name or "") + "' showing=" + " ".join(pyatspi.stateToString(x) for x in node.getState().getStates()), file=sys.stderr)
    if showing(node) or role in (pyatspi.ROLE_FRAME, pyatspi.ROLE_WINDOW, pyatspi.ROLE_DIALOG):
        if rows:
            if role == pyatspi.ROLE_LIST_ITEM and node.name:
                out.append(node.name)
        elif role in CONTROLS and not label_of(node):
            out.append(role_name + " " + repr(node.name) + "\t" + " > ".join(named_path(here)))
    else:
        return
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is not None:
            walk(child, here, out, rows)


def main():
    args = sys.argv[1:]
    rows = False
    if args and args[0] == "--rows":
        rows = True
        args = args[1:]
    pid = int(args[0])
    window_name = args[1] if len(args) > 1 else None
    desktop = pyatspi.Registry.getDesktop(0)
    out = []
    found = False
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is None:
            continue
        try:
            if app.get_process_id() != pid:
                continue
        except Exception:
            continue
        found = True
        for j in range(app.childCount):
            window = app.getChildAtIndex(j)
            if window is None or (window_name and window_name not in (window.name or "")):
                continue
            walk(window, [], out, rows)
    if not found:
        print("no application with pid %d on the accessibility bus" % pid, file=sys.stderr)
        sys.exit(2)
    for line in out:
        print(line)


main()
