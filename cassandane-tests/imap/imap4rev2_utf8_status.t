#!/usr/bin/perl
# imap4rev2_utf8_status.t - under ENABLE IMAP4rev2 mailbox names travel as
# UTF-8 (RFC 9051 5.1): CREATE/SELECT/STATUS/APPEND/COPY take them, LIST
# shows them, and an IMAP4rev1 session sees the same mailbox in modified
# UTF-7; a literal '&' is itself.  STATUS DELETED (RFC 9051 6.3.11) counts
# \Deleted messages, also through LIST-STATUS.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $S = $Murder::MsgIMAP::SEP;
my $v2 = Murder::MsgIMAP::client($n, 'alice');
my $v1 = Murder::MsgIMAP::client($n, 'alice');
Murder::MsgIMAP::cmd($v2, 'ENABLE IMAP4rev2');
my $name = "Gr\xc3\xbc\xc3\x9fe & co";                 # "Grüße & co", UTF-8
my $mutf7 = 'Gr&APwA3w-e &- co';

like(scalar Murder::MsgIMAP::cmd($v2, "CREATE \"$name\""), qr/^\S+ OK/, 'rev2: CREATE UTF-8 name');
my ($ok, @u) = Murder::MsgIMAP::cmd($v1, 'LIST "" "*"');
ok((grep { /"\Q$mutf7\E"$/ } @u), 'rev1 sees modified UTF-7') or diag explain \@u;
($ok, @u) = Murder::MsgIMAP::cmd($v2, 'LIST "" "*"');
ok((grep { index($_, $name) >= 0 } @u), 'rev2 LIST shows UTF-8') or diag explain \@u;
ok(!(grep { index($_, '&APw') >= 0 } @u), 'rev2 LIST shows no modified UTF-7');
my $msg = Murder::MsgIMAP::msg("Subject: x\n\nx\n");
like(Murder::MsgIMAP::append($v2, "\"$name\"", $msg), qr/^\S+ OK/, 'rev2: APPEND to it');
like(Murder::MsgIMAP::append($v2, "\"$name\"", $msg, '\Deleted'), qr/^\S+ OK/, 'APPEND a \Deleted one');
($ok, @u) = Murder::MsgIMAP::cmd($v1, "STATUS \"$mutf7\" (MESSAGES DELETED)");
is_deeply([grep { /STATUS/ } @u], ["* STATUS \"$mutf7\" (MESSAGES 2 DELETED 1)"],
          'rev1 STATUS by modified UTF-7 name, with DELETED');
($ok, @u) = Murder::MsgIMAP::cmd($v2, "SELECT \"$name\"");
like($ok, qr/^\S+ OK/, 'rev2: SELECT UTF-8 name');
like(scalar Murder::MsgIMAP::cmd($v2, "COPY 1 \"$name\""), qr/^\S+ OK/, 'rev2: COPY to UTF-8 name');
($ok, @u) = Murder::MsgIMAP::cmd($v2, "LIST \"\" \"Gr*\" RETURN (STATUS (DELETED MESSAGES))");
ok((grep { /^\* STATUS .*\(MESSAGES 3 DELETED 1\)$/s } @u), 'LIST-STATUS with DELETED')
    or diag explain \@u;
# the modified UTF-7 spelling is not that mailbox for a rev2 client
like(scalar Murder::MsgIMAP::cmd($v2, "STATUS \"$mutf7\" (MESSAGES)"), qr/^\S+ NO/,
     'rev2: the modified UTF-7 spelling names another (missing) mailbox');
like(scalar Murder::MsgIMAP::cmd($v1, 'STATUS INBOX (BOGUS)'), qr/^\S+ BAD/, 'unknown STATUS item: BAD');
$n->stop;
done_testing;
