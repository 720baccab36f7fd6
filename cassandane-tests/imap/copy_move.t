#!/usr/bin/perl
# copy_move.t - COPY / UID COPY answer OK [COPYUID uidvalidity src dst]
# (RFC 4315) and the copies carry the flags; MOVE (RFC 6851) sends the
# COPYUID in an untagged OK, then EXPUNGEs, and the source loses the
# messages; a missing destination is NO [TRYCREATE]; a destination without
# the 'i' right is refused and nothing is copied.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice', 'bob']);
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
like(scalar Murder::MsgIMAP::cmd($c, "CREATE INBOX${S}dst"), qr/^\S+ OK/, 'create dst');
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 4;
Murder::MsgIMAP::cmd($c, 'NOOP');
Murder::MsgIMAP::cmd($c, 'STORE 2 +FLAGS.SILENT (\Flagged)');

my ($ok, @u) = Murder::MsgIMAP::cmd($c, "STATUS INBOX${S}dst (UIDVALIDITY)");
my ($uv) = join('', @u) =~ /UIDVALIDITY (\d+)/;
ok($uv, 'dst UIDVALIDITY');

($ok) = Murder::MsgIMAP::cmd($c, "COPY 1:2 INBOX${S}dst");
like($ok, qr/^\S+ OK \[COPYUID $uv 1:2 1:2\]/, 'COPY answers COPYUID');
($ok) = Murder::MsgIMAP::cmd($c, "UID COPY 4 INBOX${S}dst");
like($ok, qr/^\S+ OK \[COPYUID $uv 4 3\]/, 'UID COPY answers COPYUID');
($ok) = Murder::MsgIMAP::cmd($c, "COPY 1 INBOX${S}nowhere");
like($ok, qr/^\S+ NO \[TRYCREATE\]/, 'missing destination: TRYCREATE');

($ok, @u) = Murder::MsgIMAP::cmd($c, "UID MOVE 2:3 INBOX${S}dst");
like($ok, qr/^\S+ OK/, 'UID MOVE ok');
like($u[0], qr/^\* OK \[COPYUID $uv 2:3 4:5\]/, 'MOVE: untagged COPYUID first');
is_deeply([grep { /EXPUNGE/ } @u[1 .. $#u]], ['* 3 EXPUNGE', '* 2 EXPUNGE'],
          'MOVE: then EXPUNGEs');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID FETCH 1:* UID');
is(join(',', map { /UID (\d+)/ ? $1 : '?' } @u), '1,4', 'source lost the moved messages');

($ok, @u) = Murder::MsgIMAP::cmd($c, "EXAMINE INBOX${S}dst");
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID FETCH 1:* FLAGS');
is_deeply(\@u, ['* 1 FETCH (UID 1 FLAGS ())', '* 2 FETCH (UID 2 FLAGS (\Flagged))',
                '* 3 FETCH (UID 3 FLAGS ())', '* 4 FETCH (UID 4 FLAGS (\Flagged))',
                '* 5 FETCH (UID 5 FLAGS ())'], 'copies with their flags');
($ok) = Murder::MsgIMAP::cmd($c, 'MOVE 1 INBOX');
like($ok, qr/^\S+ NO/, 'MOVE out of an EXAMINEd mailbox is NO');

# bob has no rights on alice's mailbox: refused, nothing copied
my $b = Murder::MsgIMAP::client($n, 'bob', 'INBOX');
Murder::MsgIMAP::append($b, 'INBOX', $msg);
Murder::MsgIMAP::cmd($b, 'NOOP');
($ok) = Murder::MsgIMAP::cmd($b, "COPY 1 user${S}alice${S}dst");
like($ok, qr/^\S+ NO/, 'COPY without rights on the destination is NO');
($ok, @u) = Murder::MsgIMAP::cmd($c, "STATUS INBOX${S}dst (MESSAGES)");
like(join('', @u), qr/MESSAGES 5\b/, 'nothing was copied');
$n->stop;
done_testing;
