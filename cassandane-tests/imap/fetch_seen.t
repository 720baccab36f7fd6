#!/usr/bin/perl
# fetch_seen.t - FETCH BODY[] (and RFC822, RFC822.TEXT) sets \Seen and
# reports the new FLAGS in the same response; BODY.PEEK[], BINARY.PEEK
# and RFC822.HEADER do not; nothing is set in an EXAMINEd mailbox.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $msg = Murder::MsgIMAP::msg("Subject: s\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 4;
Murder::MsgIMAP::cmd($c, 'NOOP');

sub flags_of {
    my ($seq) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, "FETCH $seq FLAGS");
    return join("\n", @u);
}

my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1 (BODY.PEEK[] BINARY.PEEK[1] RFC822.HEADER)');
like($ok, qr/^\S+ OK/, 'peek fetch ok');
unlike(join('', @u), qr/FLAGS/, 'no FLAGS in a PEEK response');
is(flags_of(1), '* 1 FETCH (FLAGS ())', 'PEEK left \Seen unset');

($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 1 BODY[]');
like($u[0], qr/^\* 1 FETCH \(FLAGS \(\\Seen\) BODY\[\] \{/, 'BODY[] reports FLAGS (\Seen)');
is(flags_of(1), '* 1 FETCH (FLAGS (\Seen))', 'BODY[] set \Seen');

($ok, @u) = Murder::MsgIMAP::cmd($c, 'FETCH 2 RFC822.TEXT');
is(flags_of(2), '* 2 FETCH (FLAGS (\Seen))', 'RFC822.TEXT set \Seen');

# a second session sees it
my $d = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
($ok, @u) = Murder::MsgIMAP::cmd($d, 'FETCH 1:4 FLAGS');
is_deeply(\@u, ['* 1 FETCH (FLAGS (\Seen))', '* 2 FETCH (FLAGS (\Seen))',
                '* 3 FETCH (FLAGS ())', '* 4 FETCH (FLAGS ())'],
          'other session sees \Seen');

# EXAMINE: read-only, nothing set
($ok) = Murder::MsgIMAP::cmd($d, 'EXAMINE INBOX');
like($ok, qr/^\S+ OK/, 'examine');
($ok, @u) = Murder::MsgIMAP::cmd($d, 'FETCH 3 BODY[]');
like($ok, qr/^\S+ OK/, 'fetch in examined mailbox');
unlike($u[0], qr/FLAGS/, 'no FLAGS change when read-only');
is(flags_of(3), '* 3 FETCH (FLAGS ())', 'EXAMINE: \Seen not set');
$n->stop;
done_testing;
