/* SPDX-License-Identifier: MIT */
/*
 * Harness emulation of the part of Xen 4.17's public/event_channel.h that
 * dpci uses: the pirq_guest_bind() sharing flag (same value as Xen).
 */
#ifndef __XEN_PUBLIC_EVENT_CHANNEL_H__
#define __XEN_PUBLIC_EVENT_CHANNEL_H__

#define BIND_PIRQ__WILL_SHARE 1

#endif /* __XEN_PUBLIC_EVENT_CHANNEL_H__ */
