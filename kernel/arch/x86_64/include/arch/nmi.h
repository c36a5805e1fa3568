/* NMI handling: halt after a panic, otherwise print a snapshot of this CPU. */
#ifndef ARCH_NMI_H
#define ARCH_NMI_H

struct int_frame;

void nmi_handle(struct int_frame *frame);

#endif
