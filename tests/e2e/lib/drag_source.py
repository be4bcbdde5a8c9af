#!/usr/bin/python3
"""A real X11 drag source for the end-to-end tests: a small window offering the
files named on the command line as a text/uri-list drag, the way a file manager
does. The test presses the mouse on it and moves the pointer onto the app with
xdotool, so the app receives an operating-system drop (XDND), not an event the
test made up. Prints "ready X Y" (the window's centre, in screen pixels) once it
is on screen, and "dropped" after the drag ends, then exits.
"""
import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

SIZE = 100


def main() -> None:
    """drag_source.py X Y FILE...: the window's top-left corner, then the files."""
    x, y = int(sys.argv[1]), int(sys.argv[2])
    uris = [Path(p).resolve().as_uri() for p in sys.argv[3:]]
    window = Gtk.Window(title="kith-e2e-drag-source")
    window.set_default_size(SIZE, SIZE)
    window.move(x, y)
    area = Gtk.EventBox()
    area.add(Gtk.Label(label="drag me"))
    window.add(area)
    area.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
    area.drag_source_add_uri_targets()

    def data_get(_widget, _context, selection, _info, _time):
        selection.set_uris(uris)

    def drag_end(_widget, _context):
        print("dropped", flush=True)
        GLib.timeout_add(200, Gtk.main_quit)

    area.connect("drag-data-get", data_get)
    area.connect("drag-end", drag_end)
    window.connect("destroy", Gtk.main_quit)

    def ready(*_args):
        x, y = window.get_position()
        print(f"ready {x + SIZE // 2} {y + SIZE // 2}", flush=True)
        return False

    window.connect("map-event", ready)
    window.show_all()
    # Ends on its own if no drag ever comes, so a failing test leaves nothing behind.
    GLib.timeout_add_seconds(60, Gtk.main_quit)
    Gtk.main()


if __name__ == "__main__":
    main()
