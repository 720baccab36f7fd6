#!/usr/bin/perl
# master_slow_subscriber.t - an UPDATE subscriber that stops reading is
# dropped (and logged) once its unsent output passes the bound, instead
# of the master's memory growing without limit; a subscriber that reads
# gets every change, and writers are never held up.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::MUPDATE;
use IO::Select;

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node();
my $w = Murder::MUPDATE->connect($n, user => 'murder');
my $slow = Murder::MUPDATE->connect($n, user => 'murder', rcvbuf => 4096);
is($slow->start_update->{status}, 'OK', 'slow subscriber listed');
my $good = Murder::MUPDATE->connect($n, user => 'murder');
is($good->start_update->{status}, 'OK', 'good subscriber listed');

# ~55 KB ACLs: 300 changes are ~16 MB of output, past the 8 MB bound
my $acl = join('', map { sprintf("u%05d\tlr\t", $_) } 1 .. 5000);
my ($oks, $got) = (0, 0);
for my $k (1 .. 300) {
    my $r = $w->cmd('ACTIVATE', 'user.big', 'be1!default', $acl . ($k % 2 ? "x\tl\t" : ''));
    $oks++ if $r->{status} eq 'OK';
    while ($good->{buf} ne '' || IO::Select->new($good->sock)->can_read(0)) {
        my $i = $good->read_item(5) or last;
        $got++ if $i->[0] eq 'MAILBOX';
        last if $got == $k;
    }
}
is($oks, 300, 'every change acknowledged (writers do not wait for slow readers)');
while ($got < 300) { my $i = $good->read_item(10) or last; $got++ if $i->[0] eq 'MAILBOX' }
is($got, 300, 'the reading subscriber got every change');
ok($n->wait_for_log(qr/mupdate subscriber dropped: output backlog/, 10), 'the slow one was dropped and logged');
my $eof = 0;
for (1 .. 100000) { my $i = $slow->read_item(5); if (!$i) { $eof = 1; last } }
ok($eof, 'its connection ends after what was already sent');
is($good->cmd('NOOP')->{status}, 'OK', 'the good subscriber is still served');

$n->stop;
done_testing;
