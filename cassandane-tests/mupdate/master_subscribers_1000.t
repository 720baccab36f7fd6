#!/usr/bin/perl
# master_subscribers_1000.t - one mupdate process serves 1,000 UPDATE
# subscribers at once (plus a writer), and each committed change reaches
# every one of them; the time until the last one has it is reported
# (not asserted: the suite never asserts timings).  The process holds
# one fd per peer, so this also checks the open-files limit is raised.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::MUPDATE;
use IO::Select;
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);

skip_unless_built(qw(master mupdate));

my $SUBS = 1000;
my $n = Murder::MUPDATE::mupdate_node(config => { mupdate_connections_max => 2000 });
my $w = Murder::MUPDATE->connect($n, user => 'murder');
is($w->cmd('ACTIVATE', 'user.seed', 'be1!default', "seed\tlrs\t")->{status}, 'OK', 'seed entry');

# connect every subscriber and send AUTHENTICATE + UPDATE pipelined
my $ir = encode_base64("\0bob\0$Murder::MUPDATE::USERS{bob}", '');
my @subs;
for my $i (1 .. $SUBS) {
    my $sock = $n->connect('mupdate');
    my $c = Murder::MUPDATE->new($sock, no_banner => 1);
    $c->send_raw(qq{A AUTHENTICATE "PLAIN" "$ir"\r\nU UPDATE\r\n}) or last;
    $c->{update_tag} = 'U';
    push @subs, $c;
}
is(scalar @subs, $SUBS, "$SUBS subscribers connected");

# wait_all - read each subscriber until $pred(item) is true; count them
sub wait_all {
    my ($pred, $timeout) = @_;
    my $deadline = time() + $timeout;
    my %left = map { $_ => $subs[$_] } 0 .. $#subs;
    my %by_fd = map { fileno($subs[$_]->sock) => $_ } 0 .. $#subs;
    my $sel = IO::Select->new(map { $_->sock } @subs);
    while (%left && time() < $deadline) {
        for my $fh ($sel->can_read(1)) {
            my $i = $by_fd{fileno($fh)};
            next unless $left{$i};
            my $c = $subs[$i];
            $c->_fill(time() + 1) or do { delete $left{$i}; $sel->remove($fh); next };
            # consume every complete line buffered
            while (index($c->{buf}, "\n") >= 0) {
                my $line = $c->read_line(1);
                if ($pred->($line)) { delete $left{$i}; $sel->remove($fh); last }
            }
        }
    }
    return $SUBS - scalar(keys %left);
}

my $listed = wait_all(sub { $_[0] =~ /^U OK/ }, 60);
is($listed, $SUBS, 'every subscriber got the initial list and the OK');
is(scalar($n->child_pids('mupdate')), 1, 'one mupdate process serves them all');

my $t0 = time();
is($w->cmd('RESERVE', 'user.new', 'be2!default')->{status}, 'OK', 'RESERVE while 1000 are subscribed');
my $got = wait_all(sub { $_[0] =~ /^U RESERVE "user\.new" "be2!default"$/ }, 30);
my $dt = time() - $t0;
is($got, $SUBS, 'every subscriber received the change');
diag(sprintf("change reached %d subscribers in %.1f ms (from before the RESERVE)", $got, $dt * 1000));

ok(!$n->log_lines(qr/dropped|too many connections/), 'nobody dropped or refused');
$_->close for @subs;
$n->stop;
done_testing;
