/* SPDX-License-Identifier: MIT */
#ifndef PTRAUDIT_VERSION_H
#define PTRAUDIT_VERSION_H
#define PTRAUDIT_VERSION "0.1.0"
#endif
