#!/bin/bash
# Boot Xen with a PV dom0 under QEMU (software emulation, no KVM) and copy
# the serial console (Xen's and dom0's, both on COM1) to a log file.
#
#   scripts/xen-qemu/boot.sh XEN KERNEL INITRD LOG
#
#   XEN     the hypervisor: a multiboot ELF32 image ("xen"), or its gzip
#           ("xen.gz", as Debian ships /boot/xen-4.17-amd64.gz); QEMU's
#           multiboot loader cannot gunzip, so a gzipped image is unpacked
#           next to LOG first.  An ELF64 image (xen-syms) is refused.
#   KERNEL  the dom0 kernel, INITRD its initramfs (multiboot modules)
#   LOG     where the console goes (also echoed to stdout when XQ_VERBOSE=1)
#
# Environment: XQ_TIMEOUT (seconds, default 240) bounds the whole run, after
# which QEMU is killed; XQ_SMP (2) pCPUs, XQ_MEM (1024) MiB of RAM,
# XQ_DOM0_MEM (512M), XQ_XEN_ARGS / XQ_DOM0_ARGS extra command-line words,
# XQ_DISK a raw image attached as a virtio disk (dom0's /dev/vda), through
# which the checks hand files back to the host.
#
# Exit: QEMU's status; 124 on timeout; 3 bad image; 77 QEMU cannot run here.
set -uo pipefail

[ $# -eq 4 ] || { echo "usage: $0 XEN KERNEL INITRD LOG" >&2; exit 2; }
XEN=$1 KERNEL=$2 INITRD=$3 LOG=$4
TIMEOUT=${XQ_TIMEOUT:-240}
SMP=${XQ_SMP:-2}
MEM=${XQ_MEM:-1024}
DOM0_MEM=${XQ_DOM0_MEM:-512M}

QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || { echo "boot: $QEMU not installed (Debian package qemu-system-x86; run scripts/setup-deps.sh)"; exit 77; }

[ -r "$XEN" ] || { echo "boot: hypervisor image $XEN cannot be read"; exit 3; }
magic=$(head -c 4 "$XEN" | od -An -tx1 | tr -d ' \n')
img=$XEN
if [ "${magic:0:4}" = 1f8b ]; then
    img=$(dirname "$LOG")/xen-multiboot.elf
    gzip -dc "$XEN" > "$img.tmp" || { echo "boot: $XEN: bad gzip data"; exit 3; }
    mv "$img.tmp" "$img"
    magic=$(head -c 5 "$img" | od -An -tx1 | tr -d ' \n')
else
    magic=$(head -c 5 "$XEN" | od -An -tx1 | tr -d ' \n')
fi
case $magic in
    7f454c4601) ;;    # ELF32: what QEMU's multiboot loader takes
    7f454c4602) echo "boot: $XEN is an ELF64 image (xen-syms?); give the multiboot image xen or xen.gz"; exit 3 ;;
    *) echo "boot: $XEN is neither an ELF32 multiboot image nor its gzip"; exit 3 ;;
esac

xen_args="console=com1 com1=115200,8n1 dom0_mem=$DOM0_MEM,max:$DOM0_MEM loglvl=all guest_loglvl=all ${XQ_XEN_ARGS:-}"
# Words with '=' that the kernel does not know reach /init as environment:
# xte_pcpus tells the checks how many pCPUs Xen must report.
# loglevel=6: the kernel's boot log is the diagnosis when dom0 never
# reaches /init (which then quietens the console for the markers).
dom0_args="console=hvc0 loglevel=6 xte_pcpus=$SMP ${XQ_DOM0_ARGS:-}"

: > "$LOG"
disk=()
[ -n "${XQ_DISK:-}" ] && disk=(-drive "file=$XQ_DISK,format=raw,if=virtio")
start=$(date +%s)
if [ "${XQ_VERBOSE:-0}" = 1 ]; then out=/dev/stdout; else out=/dev/null; fi
# -cpu qemu64: what Xen 4.17 + Debian's dom0 run on under TCG ("max" makes
# dom0 crash early).  -no-reboot: a crash ends QEMU instead of looping.
timeout -k 5 "$TIMEOUT" "$QEMU" \
    -machine pc -cpu qemu64 -smp "$SMP" -m "$MEM" \
    -display none -monitor none -serial stdio -no-reboot -nodefaults \
    "${disk[@]}" \
    -kernel "$img" -append "$xen_args" \
    -initrd "$KERNEL $dom0_args,$INITRD" \
    < /dev/null 2>&1 | tee "$LOG" > "$out"
rc=${PIPESTATUS[0]}
echo "boot: QEMU exited with status $rc after $(( $(date +%s) - start )) s (console: $LOG)" >&2
exit "$rc"
