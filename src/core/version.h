/* SPDX-License-Identifier: MIT */
#ifndef PTRAUDIT_VERSION_H
#define PTRAUDIT_VERSION_H
#define PTRAUDIT_VERSION "0.2.0"
#endif
