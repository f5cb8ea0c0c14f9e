"""`pixel-tui demo`: start a private S3 server, a local Drive, a registry and a real upload, then open the dashboard."""

from __future__ import annotations

import os
import time

NAME = "demo"
HELP = "open the dashboard on an embedded demo (local S3 server, local Drive, sample registry, live upload)"
NEEDS_SETTINGS = False


def add_arguments(parser) -> None:
    """Demo options."""
    parser.add_argument("--reset", action="store_true", help="delete the demo's data and start from scratch")
    parser.add_argument("--state-dir", metavar="DIR", help="where the demo keeps its data (default: XDG state dir/demo)")
    parser.add_argument("--bwlimit", default="300k", help="bandwidth limit of the demo upload (default 300k)")
    parser.add_argument("--no-ui", action="store_true",
                        help="start the demo environment and print how to reach it, without the dashboard")


def _stop_on_hangup(env) -> None:
    """A closed SSH session or tmux window (SIGHUP) or a kill (SIGTERM) still stops what the demo started."""
    import signal

    def handler(signum, frame):
        env.stop()
        os._exit(128 + signum)

    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, handler)


def run(args, settings) -> int:
    """Start the demo, run the app (or wait), and stop everything the demo started."""
    from pixel_tui.core.config import xdg_state_dir
    from pixel_tui.demo.environment import start_demo

    root = args.state_dir or str(xdg_state_dir() / "demo")
    print(f"pixel-tui demo: starting a local S3 server and upload under {root} ...", flush=True)
    env = start_demo(root, reset=args.reset, bwlimit=args.bwlimit)
    _stop_on_hangup(env)
    try:
        # The app's S3 client and rclone read these, exactly as they would for a real setup.
        os.environ.update(env.process_env())
        if args.no_ui:
            from pixel_tui.demo.exports import demo_variables, export_lines, write_env_file

            variables = demo_variables(env)
            env_file = env.root / "demo.env"
            write_env_file(variables, env_file)
            print(f"endpoint  {env.settings.endpoint_url}\nbucket    {env.settings.bucket}\n"
                  f"drive     {env.drive_dir}\nlog       {env.log_path}\nregistry  {env.registry_path}\n\n"
                  "In another shell, point every pixel-tui command (and aws, rclone) at this demo:\n"
                  + "\n".join(export_lines(variables, env_file)) + "\n\nCtrl+C stops the demo.", flush=True)
            while True:
                time.sleep(3600)
        from pixel_tui.tui.app import make_app

        make_app(env.settings, rclone_env=env.rclone_env).run()
    except KeyboardInterrupt:
        pass
    finally:
        env.stop()
    return 0
