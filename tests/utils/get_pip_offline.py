"""Stand-in for the get-pip.py script that ansible-test downloads from a host CI cannot reach.

ansible-test runs it inside each virtual environment it creates to install pip and its
pinned infrastructure packages; ensurepip plus a normal pip install does the same from PyPI.
The Makefile copies it to ~/.ansible/test/cache/get_pip_<version>.py.
"""

import subprocess
import sys

IGNORED = ("--no-setuptools", "--no-wheel")


def main():
    arguments = [argument for argument in sys.argv[1:] if argument not in IGNORED]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
