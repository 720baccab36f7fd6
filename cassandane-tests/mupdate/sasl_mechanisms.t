#!/usr/bin/perl
# sasl_mechanisms.t - backends and frontends authenticate to the MUPDATE
# master with whatever mechanism it offers, not only PLAIN: the master
# sends challenges as bare base64 lines (as Cyrus's does) and SCRAM's
# server signature as a last challenge answered by an empty line.  For
# each mechanism list, a backend's CREATE reaches the master (logged
# in with the expected mechanism) and the frontend's slave follows it.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 120;
use Murder::MUPDATE;
use Murder::MurderBackend;
use IO::Socket::UNIX;

skip_unless_built(qw(master mupdate imapd lmtpd pop3d ctl_mboxlist ctl_cyrusdb));

my $mupdate_user = $Murder::Topology::MUPDATE_USER;
my $n = 0;
for my $case (['SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN', 'SCRAM-SHA-256'],
              ['SCRAM-SHA-1', 'SCRAM-SHA-1'],
              ['CRAM-MD5', 'CRAM-MD5'],
              ['LOGIN', 'LOGIN']) {
    my ($mechs, $want) = @$case;
    $n++;
    my $t = Murder::MurderBackend::murder(backends => 1, frontends => 1,
        mupdate_config => { sasl_mech_list => $mechs });
    my ($be, $fe, $m) = ($t->backend(0), $t->frontend(0), $t->mupdate);

    like(Murder::MurderBackend::imap($be, "CREATE user/m$n"), qr/^\S+ OK/,
         "[$mechs] backend CREATE");
    ok($m->wait_for_log(qr/login ok user=<\Q$mupdate_user\E> mech=<\Q$want\E>/, 5),
       "[$mechs] the backend logged in with $want");
    ok($m->wait_for_log(qr/mupdate activate mailbox=<user\.m$n>/, 5),
       "[$mechs] activated on the master");
    ok(!$m->log_lines(qr/login failed/), "[$mechs] no failed login");

    # the frontend's slave (logged in the same way) has the new entry
    my $sock = $fe->imapd_option('configdirectory') . '/socket/mupdate.target';
    ok(Murder::Util::wait_for(sub { -S $sock }, 10), "[$mechs] slave socket");
    my $l = Murder::MUPDATE->new(IO::Socket::UNIX->new(Peer => $sock));
    is($l->cmd('NOOP')->{status}, 'OK', "[$mechs] slave caught up with the master");
    is($l->cmd('FIND', "user.m$n")->{items}[0][0] // '', 'MAILBOX',
       "[$mechs] the frontend has it");
    $l->close;
    $t->stop;
}
done_testing;
