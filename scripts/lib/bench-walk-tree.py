#!/usr/bin/env python3
"""Generates the walker benchmark's synthetic Windows-like tree (reproducible: fixed seed).

At scale 1.0: about 400,000 empty files in about 40,000 directories, shaped like a Windows Server system
volume (a WinSxS with ~14,000 component folders and a 16,000-entry Manifests folder, System32 with its
DriverStore, Program Files, user profiles with deep AppData caches) plus a few dozen Hyper-V files
(.vhdx/.avhdx/.vmcx/.vmrs/.vmgs/.iso, some in upper case) and a few symlinks.

Usage: bench-walk-tree.py ROOT [--scale 1.0]
Prints the counts (files, dirs, hyperv) on stdout. ROOT must not exist yet.
"""
import argparse
import os
import random
import sys

HYPERV_EXTENSIONS = ("vhd", "vhdx", "avhd", "avhdx", "vhds", "vmcx", "vmrs", "vmgs", "vsv", "iso")


class Tree:
    def __init__(self, root, seed):
        self.root = root
        self.rng = random.Random(seed)
        self.files = 0
        self.dirs = 0
        self.hyperv = 0

    def mkdir(self, rel):
        os.makedirs(os.path.join(self.root, rel), exist_ok=True)
        self.dirs += 1
        return rel

    def touch(self, rel):
        # os.mknod is the cheapest way to make an empty regular file. Above scale 1.0 a random name can repeat
        # (a word and a number running into another): the repeat is skipped, not counted.
        try:
            os.mknod(os.path.join(self.root, rel))
        except FileExistsError:
            return
        self.files += 1
        if rel.rsplit(".", 1)[-1].lower() in HYPERV_EXTENSIONS:
            self.hyperv += 1

    def hexid(self, n=16):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def guid(self):
        h = self.hexid(32).upper()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def word(self):
        syll = ["win", "dows", "core", "net", "sys", "shell", "mui", "print", "hyper", "v", "vm", "storage",
                "crypt", "dx", "media", "client", "server", "update", "defender", "cluster", "host", "ui",
                "svc", "data", "power", "edge", "audio", "font", "msi", "wmi", "tcp", "ip", "graphics"]
        return "".join(self.rng.choice(syll) for _ in range(self.rng.randint(2, 4)))


def build(root, scale):
    t = Tree(root, seed=20240601)

    def n(count):
        return max(1, int(round(count * scale)))

    exts = ["dll", "exe", "mui", "sys", "manifest", "cat", "xml", "dat", "inf", "pnf", "ini", "log", "txt",
            "json", "png", "js", "etl", "db", "cab", "msi"]

    # Windows\WinSxS: many long-named component folders, plus two wide flat folders.
    sxs = t.mkdir("Windows/WinSxS")
    for i in range(n(14000)):
        arch = t.rng.choice(["amd64", "wow64", "x86", "msil"])
        comp = f"{arch}_microsoft-windows-{t.word()}_31bf3856ad364e35_10.0.17763.{t.rng.randint(1, 5000)}_none_{t.hexid()}"
        d = t.mkdir(f"{sxs}/{comp}")
        for j in range(t.rng.randint(1, 13)):
            t.touch(f"{d}/{t.word()}{j}.{t.rng.choice(['dll', 'mui', 'exe', 'sys', 'inf'])}")
    man = t.mkdir(f"{sxs}/Manifests")
    for i in range(n(16000)):
        t.touch(f"{man}/amd64_{t.word()}_31bf3856ad364e35_10.0.17763.{i}_none_{t.hexid()}.manifest")
    cat = t.mkdir(f"{sxs}/Catalogs")
    for i in range(n(4000)):
        t.touch(f"{cat}/{t.hexid(40)}.cat")

    # System32 and its DriverStore.
    s32 = t.mkdir("Windows/System32")
    for i in range(n(4500)):
        t.touch(f"{s32}/{t.word()}{i}.{t.rng.choice(exts[:6])}")
    for name in ("vmms.exe", "vmwp.exe", "vmcompute.exe", "vmsp.exe"):
        t.touch(f"{s32}/{name}")
    drv = t.mkdir(f"{s32}/drivers")
    for i in range(n(600)):
        t.touch(f"{drv}/{t.word()}{i}.sys")
    repo = t.mkdir(f"{s32}/DriverStore/FileRepository")
    t.dirs += 1  # DriverStore
    for i in range(n(2000)):
        d = t.mkdir(f"{repo}/{t.word()}.inf_amd64_{t.hexid()}")
        for j in range(t.rng.randint(3, 13)):
            t.touch(f"{d}/{t.word()}{j}.{t.rng.choice(['sys', 'inf', 'cat', 'dll', 'pnf'])}")
    for loc in ["en-US", "de-DE", "fr-FR", "ja-JP", "es-ES", "it-IT", "pt-BR", "ru-RU", "zh-CN", "ko-KR"] * 3:
        d = t.mkdir(f"{s32}/{loc}")
        for i in range(n(100)):
            t.touch(f"{d}/{t.word()}{i}.dll.mui")
    wow = t.mkdir("Windows/SysWOW64")
    for i in range(n(3500)):
        t.touch(f"{wow}/{t.word()}{i}.{t.rng.choice(exts[:6])}")
    for k in range(20):
        d = t.mkdir(f"{wow}/sub{k}")
        for i in range(n(50)):
            t.touch(f"{d}/{t.word()}{i}.dll")
    gac = t.mkdir("Windows/assembly/GAC_MSIL")
    t.dirs += 1
    for i in range(n(3000)):
        d = t.mkdir(f"{gac}/{t.word()}.{i}")
        d2 = t.mkdir(f"{d}/v4.0_4.0.0.0__{t.hexid()}")
        t.touch(f"{d2}/{t.word()}.dll")
        t.touch(f"{d2}/{t.word()}.xml")
    t.mkdir("Windows/Cluster")

    # Program Files: nested application trees.
    def app_tree(base, dirs, files):
        folders = [t.mkdir(base)]
        for _ in range(dirs - 1):
            parent = t.rng.choice(folders)
            if parent.count("/") - base.count("/") >= 6:
                parent = base
            folders.append(t.mkdir(f"{parent}/{t.word()}"))
        for i in range(files):
            t.touch(f"{t.rng.choice(folders)}/{t.word()}{i}.{t.rng.choice(exts)}")

    for pf in ("Program Files", "Program Files (x86)"):
        t.mkdir(pf)
        for a in range(n(120)):
            app_tree(f"{pf}/{t.word().capitalize()} {a}", 40, 350)

    # User profiles with deep AppData caches.
    t.mkdir("Users")
    for user in ("Administrator", "admin", "svc-backup", "jdoe", "Public"):
        app_tree(f"Users/{user}/AppData/Local/Packages", n(1500), n(32000))
        t.dirs += 3

    # Hyper-V: the data root, VM folders, disks, ISOs (a few dozen files, mixed case).
    hv = t.mkdir("ProgramData/Microsoft/Windows/Hyper-V")
    t.dirs += 3
    t.touch(f"{hv}/data.vmcx")
    vms = t.mkdir(f"{hv}/Virtual Machines")
    snaps = t.mkdir(f"{hv}/Snapshots")
    for v in range(6):
        g = t.guid()
        for ext in ("vmcx", "vmrs", "vmgs"):
            t.touch(f"{vms}/{g}.{ext}")
        t.mkdir(f"{vms}/{g}")
        if v < 3:
            s = t.guid()
            t.touch(f"{snaps}/{s}.vmcx")
            t.touch(f"{snaps}/{s}.VMRS")
    disks = t.mkdir("Hyper-V/Virtual Hard Disks")
    t.dirs += 1
    for v in range(8):
        t.touch(f"{disks}/vm{v}-os.vhdx")
        if v < 5:
            t.touch(f"{disks}/vm{v}-os_{t.guid()}.avhdx")
    t.touch(f"{disks}/legacy.VHD")
    t.touch(f"{disks}/LEGACY_{t.guid()}.AVHD")
    pub = t.mkdir("Users/Public/Documents/Hyper-V/Virtual Hard Disks")
    t.touch(f"{pub}/template.vhdx")
    iso = t.mkdir("ISO")
    for name in ("WindowsServer2019.iso", "ubuntu-22.04.ISO", "virtio-win.iso", "SQL2019.Iso"):
        t.touch(f"{iso}/{name}")
    # Links, as a copied or ntfs-3g mounted volume may show them (never followed by the walker).
    for src, dst in (("Documents and Settings", "Users"), ("ISO/latest.iso", "WindowsServer2019.iso"),
                     ("Hyper-V/loop", "..")):
        os.symlink(dst, os.path.join(root, src))
    return t


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if os.path.exists(args.root) and os.listdir(args.root):
        sys.exit(f"{args.root} exists and is not empty")
    os.makedirs(args.root, exist_ok=True)
    t = build(args.root, args.scale)
    print(f"files={t.files} dirs={t.dirs} hyperv={t.hyperv}")


if __name__ == "__main__":
    main()
