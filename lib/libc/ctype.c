/*
 * Character classes of the C locale. Unsigned arithmetic makes EOF and the
 * bytes 128..255 fall outside every range.
 */
#include <ctype.h>

int isdigit(int c)
{
    return (unsigned)c - '0' < 10;
}

int isupper(int c)
{
    return (unsigned)c - 'A' < 26;
}

int islower(int c)
{
    return (unsigned)c - 'a' < 26;
}

int isalpha(int c)
{
    return isupper(c) || islower(c);
}

int isalnum(int c)
{
    return isalpha(c) || isdigit(c);
}

int isxdigit(int c)
{
    return isdigit(c) || (unsigned)c - 'a' < 6 || (unsigned)c - 'A' < 6;
}

int isspace(int c)
{
    return c == ' ' || (unsigned)c - '\t' < 5; /* \t \n \v \f \r */
}

int isprint(int c)
{
    return (unsigned)c - 0x20 < 0x5f;
}

int isgraph(int c)
{
    return (unsigned)c - 0x21 < 0x5e;
}

int ispunct(int c)
{
    return isgraph(c) && !isalnum(c);
}

int iscntrl(int c)
{
    return (unsigned)c < 0x20 || c == 0x7f;
}

int toupper(int c)
{
    return islower(c) ? c - 'a' + 'A' : c;
}

int tolower(int c)
{
    return isupper(c) ? c - 'A' + 'a' : c;
}
